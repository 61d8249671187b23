using System.Runtime.Versioning;
using Balance.Control;
using Balance.Tests.Support;
using Balance.Native;

namespace Balance.Tests.Control;

[SupportedOSPlatform("linux")]
public class RunDirectoryTests
{
    private const UnixFileMode Mode0700 = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    public void Override_is_the_only_candidate()
    {
        var dirs = new RunDirectory("/some/where", "/run/user/1000", 1000);
        Assert.Equal(new[] { "/some/where" }, dirs.Candidates());
        Assert.Equal(new[] { "/some/where" }, new RunDirectory("/some/where", null, 0).SearchPath());
    }

    [Fact]
    public void Relative_override_is_made_absolute()
    {
        Assert.True(Path.IsPathRooted(new RunDirectory("rel/dir", null, 1000).OverridePath));
    }

    [Fact]
    public void System_directories_come_first_then_xdg_then_tmp()
    {
        Assert.Equal(
            new[] { "/run/balance", "/var/run/balance", "/run/user/1000/balance", "/tmp/balance-1000" },
            new RunDirectory(null, "/run/user/1000", 1000).Candidates());
        Assert.Equal(
            new[] { "/run/balance", "/var/run/balance", "/tmp/balance-1000" },
            new RunDirectory(null, "relative/ignored", 1000).Candidates());
    }

    [Fact]
    public void Root_also_searches_other_users_directories()
    {
        IReadOnlyList<string> search = new RunDirectory(null, null, 0).SearchPath();
        Assert.Equal(new[] { "/run/balance", "/var/run/balance", "/tmp/balance-0" }, search.Take(3));
        Assert.All(search.Skip(3), d => Assert.True(d.StartsWith("/run/user/", StringComparison.Ordinal) || d.StartsWith("/tmp/balance-", StringComparison.Ordinal), d));
        Assert.Equal(new RunDirectory(null, null, 1000).Candidates(), new RunDirectory(null, null, 1000).SearchPath());
    }

    [Fact]
    public void System_directories_of_root_are_0755_all_others_0700()
    {
        var root = new RunDirectory(null, null, 0);
        Assert.Equal(Mode0700 | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute, root.ModeFor("/run/balance"));
        Assert.Equal(Mode0700, root.ModeFor("/tmp/balance-0"));
        Assert.Equal(Mode0700, new RunDirectory(null, null, 1000).ModeFor("/run/balance"));
    }

    [Theory]
    [InlineData(0x41C0u, 1000u, 1000u, true)] // drwx------ mine
    [InlineData(0x41EDu, 1000u, 1000u, true)] // drwxr-xr-x mine
    [InlineData(0x41FDu, 1000u, 1000u, false)] // drwxrwxr-x: group may write
    [InlineData(0x41C2u, 1000u, 1000u, false)] // others may write
    [InlineData(0x41C0u, 0u, 1000u, false)] // root's
    [InlineData(0x41C0u, 1001u, 1000u, false)] // someone else's
    [InlineData(0x4140u, 1000u, 1000u, false)] // not writable for me
    [InlineData(0xA1FFu, 1000u, 1000u, false)] // a symlink
    [InlineData(0x81C0u, 1000u, 1000u, false)] // a file
    public void Only_private_directories_of_this_user_are_used(uint mode, uint owner, uint euid, bool usable)
    {
        Assert.Equal(usable, RunDirectorySetup.IsUsable(new FileStat(mode, owner, 1, 0, 0), euid));
    }

    [Fact]
    public void Missing_override_directory_is_created_0700()
    {
        using var parent = new TestRunDirectory();
        string dir = Path.Combine(parent.Path, "a", "b");
        Assert.Equal(dir, RunDirectorySetup.Prepare(new RunDirectory(dir, null, Libc.GetEUid())));
        Assert.Equal(Mode0700, File.GetUnixFileMode(dir) & ~UnixFileMode.SetGroup);
    }

    [Fact]
    public void Existing_override_directory_keeps_its_mode()
    {
        using var dir = new TestRunDirectory();
        RunDirectorySetup.Prepare(new RunDirectory(dir.Path, null, Libc.GetEUid()));
        Assert.Equal(UnixFileMode.OtherExecute, File.GetUnixFileMode(dir.Path) & UnixFileMode.OtherExecute);
    }

    [Fact]
    public void Lstat_sees_symlinks_and_sockets_without_following()
    {
        using var dir = new TestRunDirectory();
        string link = Path.Combine(dir.Path, "link");
        File.CreateSymbolicLink(link, dir.Path);
        Assert.True(FileStat.TryLStat(link, out FileStat stat, out _));
        Assert.True(stat.IsSymlink);
        Assert.True(FileStat.TryLStat(dir.Path, out stat, out _));
        Assert.True(stat.IsDirectory);
        Assert.Equal(Libc.GetEUid(), stat.Uid);
        Assert.False(FileStat.TryLStat(Path.Combine(dir.Path, "none"), out _, out int errno));
        Assert.Equal(Errno.ENOENT, errno);
    }
}
