namespace Balance.Tests.CommandLine;

/// <summary>
/// A small services database in a temporary file, so port names resolve the
/// same way on every machine. Passed as the servicesFile argument.
/// </summary>
public sealed class TestServicesFile : IDisposable
{
    public const string Content = """
        # test services database
        tcpmux          1/tcp                           # TCP port service multiplexer
        telnet          23/tcp
        smtp            25/tcp          mail
        http            80/tcp          www             # WorldWideWeb HTTP
        pop3            110/tcp         pop-3
        imap            143/tcp         imap2
        udponly         9999/udp
        both            7777/udp
        both            7778/tcp
        9pfs            564/tcp                         # a name starting with a digit
        hugeport        70000/tcp
        zeroport        0/tcp
          indented      4242/tcp   # leading blanks
        tabbed	4343/tcp	tabalias
        commented       # 5000/tcp
        # ghost         6000/tcp
        brokenline
        noproto         6100
        """;

    public TestServicesFile()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"balance-services-{Guid.NewGuid():N}");
        File.WriteAllText(Path, Content + "\n");
    }

    public string Path { get; }

    public void Dispose()
    {
        try
        {
            File.Delete(Path);
        }
        catch (IOException)
        {
        }
    }
}
