using System.Diagnostics;
using System.Text.RegularExpressions;
using Balance.CommandLine;

namespace Balance.Tests.Docs;

/// <summary>
/// The manual page and the README travel with the product: the page must
/// format without a single groff warning, every option of the usage text
/// must be documented in both, and the documentation links only to files of
/// the project itself.
/// </summary>
public sealed partial class ManPageTests
{
    private static readonly string Root = RepositoryRoot.Find();
    private static readonly string ManPagePath = Path.Combine(Root, "docs", "balance.1");
    private static readonly string ReadmePath = Path.Combine(Root, "README.md");

    /// <summary>Every option of the usage text: "-a", "-b", "--grace", "--help"; bundles such as "-adfpHM6" are not options of their own.</summary>
    public static TheoryData<string> UsageOptions()
    {
        var data = new TheoryData<string>();
        foreach (string option in OptionsIn(UsageText.Build()))
        {
            data.Add(option);
        }

        return data;
    }

    [Fact]
    public void The_usage_text_yields_the_options_the_parser_knows()
    {
        // Guards the token pattern itself: if it found nothing the theories below would prove nothing.
        string[] options = OptionsIn(UsageText.Build()).ToArray();
        foreach (char letter in CommandLineParser.OptionLetters.Where(c => c != ':'))
        {
            Assert.Contains($"-{letter}", options);
        }

        Assert.Contains("--grace", options);
        Assert.Contains("--help", options);
        Assert.DoesNotContain("-adfpHM6", options);
    }

    [GroffFact]
    public void Man_page_formats_without_any_groff_warning()
    {
        var start = new ProcessStartInfo(GroffFactAttribute.GroffPath!)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Root,
        };
        foreach (string arg in new[] { "-man", "-ww", "-z", ManPagePath })
        {
            start.ArgumentList.Add(arg);
        }

        using Process groff = Process.Start(start) ?? throw new InvalidOperationException("groff did not start");
        Task<string> stdout = groff.StandardOutput.ReadToEndAsync();
        Task<string> stderr = groff.StandardError.ReadToEndAsync();
        Assert.True(groff.WaitForExit(TimeSpan.FromSeconds(60)), "groff did not finish within 60 s");
        groff.WaitForExit();
        string errors = stderr.GetAwaiter().GetResult();
        _ = stdout.GetAwaiter().GetResult();

        Assert.Equal(string.Empty, errors);
        Assert.Equal(0, groff.ExitCode);
    }

    [Theory]
    [MemberData(nameof(UsageOptions))]
    public void Every_usage_option_is_in_the_man_page(string option)
    {
        // In roff source a hyphen of an option name is written \- .
        string roff = option.Replace("-", @"\-", StringComparison.Ordinal);
        Assert.Matches(new Regex(@"(?<![\w\\-])" + Regex.Escape(roff) + @"(?![\w\\])"), File.ReadAllText(ManPagePath));
    }

    [Theory]
    [MemberData(nameof(UsageOptions))]
    public void Every_usage_option_is_in_the_readme(string option)
    {
        Assert.Matches(new Regex(@"(?<![\w-])" + Regex.Escape(option) + @"(?![\w-])"), File.ReadAllText(ReadmePath));
    }

    [Fact]
    public void Man_page_has_the_sections_of_a_complete_reference()
    {
        string page = File.ReadAllText(ManPagePath);
        Assert.StartsWith(".\\\"", page);
        Assert.Matches(new Regex(@"^\.TH BALANCE 1 ", RegexOptions.Multiline), page);
        foreach (string section in new[]
        {
            "NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "CHANNEL SYNTAX", "CONNECTION HANDLING",
            "CONTROL COMMANDS", "PACKET DUMP AND DEBUG OUTPUT", "EXIT STATUS", "ENVIRONMENT", "FILES",
            "EXAMPLES", "SEE ALSO",
        })
        {
            Assert.Matches(new Regex($"^\\.SH \"?{Regex.Escape(section)}\"?$", RegexOptions.Multiline), page);
        }
    }

    [Fact]
    public void Man_page_names_the_version_of_the_program()
    {
        string page = File.ReadAllText(ManPagePath);
        Assert.Contains($"\"balance {Balance.Version.Text}\"", page);
    }

    [Fact]
    public void Documentation_never_points_outside_the_project()
    {
        foreach (string file in MarkdownFiles())
        {
            string text = File.ReadAllText(file);
            Assert.False(text.Contains("../shared", StringComparison.Ordinal), $"{Relative(file)} refers to ../shared");
        }
    }

    [Fact]
    public void Every_relative_link_of_the_documentation_is_a_file_of_the_project()
    {
        foreach (string file in MarkdownFiles())
        {
            string directory = Path.GetDirectoryName(file)!;
            foreach (Match link in MarkdownLink().Matches(File.ReadAllText(file)))
            {
                string target = link.Groups["target"].Value;
                if (target.StartsWith('#') || Uri.TryCreate(target, UriKind.Absolute, out _))
                {
                    continue;
                }

                string path = Path.GetFullPath(Path.Combine(directory, target.Split('#')[0]));
                Assert.True(
                    path.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal),
                    $"{Relative(file)} links outside the project: {target}");
                Assert.True(File.Exists(path) || Directory.Exists(path), $"{Relative(file)} links to a missing file: {target}");
            }
        }
    }

    private static IEnumerable<string> OptionsIn(string text) =>
        UsageOption().Matches(text).Select(m => m.Value).Distinct(StringComparer.Ordinal);

    private static IEnumerable<string> MarkdownFiles() =>
        new[] { ReadmePath }.Concat(Directory.GetFiles(Path.Combine(Root, "docs"), "*.md").Order(StringComparer.Ordinal));

    private static string Relative(string path) => Path.GetRelativePath(Root, path);

    /// <summary>A single letter or digit after one hyphen, or a name after two; standing alone, not part of a longer word.</summary>
    [GeneratedRegex(@"(?<![\w-])(?:--[a-z][a-z0-9]*(?:-[a-z0-9]+)*|-[A-Za-z0-9])(?![\w-])")]
    private static partial Regex UsageOption();

    [GeneratedRegex(@"\]\((?<target>[^)\s]+)\)")]
    private static partial Regex MarkdownLink();
}

/// <summary>A fact that needs groff; skipped, saying so, where it is not installed.</summary>
internal sealed class GroffFactAttribute : FactAttribute
{
    public GroffFactAttribute()
    {
        if (GroffPath is null)
        {
            Skip = "groff is not installed (neither /usr/bin/groff nor groff on PATH): the man page cannot be checked";
        }
    }

    public static string? GroffPath { get; } = Locate();

    private static string? Locate()
    {
        const string usual = "/usr/bin/groff";
        if (File.Exists(usual))
        {
            return usual;
        }

        string[] directories = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return directories.Select(d => Path.Combine(d, "groff")).FirstOrDefault(File.Exists);
    }
}

/// <summary>The checkout the tests run from: the first directory above the test binaries holding Balance.slnx.</summary>
internal static class RepositoryRoot
{
    public static string Find()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Balance.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"no Balance.slnx above {AppContext.BaseDirectory}");
    }
}
