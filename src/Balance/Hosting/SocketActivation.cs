using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Balance.Hosting;

/// <summary>
/// Listen sockets passed by systemd socket activation: LISTEN_FDS descriptors
/// from 3 on, meant for this process when LISTEN_PID is its pid (as
/// sd_listen_fds(3) reads them). Without the variables nothing changes.
/// </summary>
internal static class SocketActivation
{
    /// <summary>The first descriptor systemd passes (SD_LISTEN_FDS_START).</summary>
    public const int FirstDescriptor = 3;

    public const string FdsVariable = "LISTEN_FDS";
    public const string PidVariable = "LISTEN_PID";

    /// <summary>
    /// How many descriptors were passed to <paramref name="pid"/>: 0 when the
    /// variables are not there or name another process (a parent's, inherited).
    /// </summary>
    public static int Count(string? listenFds, string? listenPid, int pid)
    {
        if (string.IsNullOrEmpty(listenFds) || string.IsNullOrEmpty(listenPid))
        {
            return 0;
        }

        if (!int.TryParse(listenPid, NumberStyles.None, CultureInfo.InvariantCulture, out int target) || target != pid)
        {
            return 0;
        }

        if (!int.TryParse(listenFds, NumberStyles.None, CultureInfo.InvariantCulture, out int count) || count > 4096)
        {
            throw new BalanceException($"balance: invalid {FdsVariable} [{listenFds}]", ExitCodes.Usage);
        }

        return count;
    }

    /// <summary>
    /// The socket systemd passed for <paramref name="listen"/>, or null when
    /// none was passed. One passed socket must be a listening TCP socket on the
    /// listen port; of several, the one on the listen port is taken.
    /// </summary>
    public static Socket? Take(IPEndPoint listen, bool checkAddress)
    {
        int count = Count(Environment.GetEnvironmentVariable(FdsVariable), Environment.GetEnvironmentVariable(PidVariable), Environment.ProcessId);

        // Not for a process started from this one (the background copy).
        Environment.SetEnvironmentVariable(FdsVariable, null);
        Environment.SetEnvironmentVariable(PidVariable, null);
        if (count == 0)
        {
            return null;
        }

        int chosen = FirstDescriptor;
        if (count > 1)
        {
            int[] onPort = Enumerable.Range(FirstDescriptor, count)
                .Where(fd => InheritedListener.ListeningPort(fd) == listen.Port).ToArray();
            if (onPort.Length != 1)
            {
                throw new BalanceException(
                    $"balance: {count} sockets passed by systemd, {onPort.Length} of them listen on port {listen.Port}: one expected",
                    ExitCodes.Usage);
            }

            chosen = onPort[0];
        }

        if (InheritedListener.WhyNot(chosen, listen, checkAddress) is string why)
        {
            throw new BalanceException($"balance: socket passed by systemd refused: {why}", ExitCodes.Usage);
        }

        return InheritedListener.Adopt(chosen);
    }
}
