using System.Text.RegularExpressions;
using Balance.Tests.Docs;
using Balance.Tests.Support;

namespace Balance.Tests.EndToEnd;

/// <summary>MRTG, run once with the README's Target line, logs the byte counts show prints.</summary>
public sealed partial class MrtgEndToEndTests
{
    [NeedsToolsTheory("mrtg")]
    [AllEngines]
    public async Task Mrtg_with_the_readme_target_logs_shows_byte_counts(string engine)
    {
        await using var proxy = await ProxyFixture.StartAsync(engine, new ProxySetup { Backends = [new("a", TestBackend.Behaviour.Echo)] });
        await MetricsEndToEndTests.ExchangeUntilAsync(proxy.Port, 3, CancellationToken.None);
        ShowRow show = await Shell.ChannelAsync(proxy.Port, 0, 0);
        Assert.True(show.Sent > 0 && show.Received > 0);

        // The README's line, with this build of balance and this instance's port.
        Match target = ReadmeTarget().Match(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Find(), "README.md")));
        Assert.True(target.Success, "no MRTG Target line in the README");
        string name = target.Groups["name"].Value;
        string line = target.Value
            .Replace("`balance ", $"`{BalanceProcess.BinaryPath} ", StringComparison.Ordinal)
            .Replace(" 8080`", $" {proxy.PortText}`", StringComparison.Ordinal);

        DirectoryInfo work = Directory.CreateTempSubdirectory("mrtg-");
        try
        {
            string config = Path.Combine(work.FullName, "mrtg.cfg");
            await File.WriteAllTextAsync(config, $"WorkDir: {work.FullName}\n{line}\nMaxBytes[{name}]: 125000000\nTitle[{name}]: balance\nPageTop[{name}]: <h1>balance</h1>\n");
            var environment = new Dictionary<string, string>(proxy.RunDirectory.Environment) { ["LANG"] = "C", ["LC_ALL"] = "C" };

            ProcessResult run = await ProcessRun.RunAsync(ExternalTool.Require("mrtg"), [config], environment, timeout: TimeSpan.FromSeconds(120));

            string log = Path.Combine(work.FullName, $"{name}.log");
            Assert.True(File.Exists(log), $"mrtg wrote no log (exit {run.ExitCode}): {run.Stdout}{run.Stderr}");
            string[] first = (await File.ReadAllLinesAsync(log))[0].Split(' ');
            Assert.Equal(show.Received.ToString(), first[1]); // MRTG's "in": what came back from the channel
            Assert.Equal(show.Sent.ToString(), first[2]);
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    [GeneratedRegex(@"Target\[(?<name>[\w-]+)\]: `balance -c ""mrtg-bytes 0 0"" 8080`")]
    private static partial Regex ReadmeTarget();
}
