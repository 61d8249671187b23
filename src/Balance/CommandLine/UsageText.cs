namespace Balance.CommandLine;

/// <summary>The text of <c>--help</c> and of usage errors: banner, synopsis, options, examples.</summary>
internal static class UsageText
{
    public static string Build() => $$"""
         _           _
        | |__   __ _| | __ _ _ __   ___ ___
        | '_ \ / _` | |/ _` | '_ \ / __/ _ \
        | |_) | (_| | | (_| | | | | (_|  __/
        |_.__/ \__,_|_|\__,_|_| |_|\___\___|

          this is balance {{Version.Text}}
          a TCP proxy with load balancing and failover

        usage:
          balance [-b addr] [-B addr] [-t sec] [-T sec] [-adfpHM6] \
                  port [h1[:p1[:maxc1]] [!%] [ ... hN[:pN[:maxcN]]]]
          balance [-b addr] -i [-d] [-M] port
          balance [-b addr] -c cmd  [-d] [-M] port

          -a        enable channel autodisable option
          -b host   bind to specific address on listen
          -B host   bind to specific address for outgoing connections
          -c cmd    execute specified interactive command
          -d        debugging on
          -f        stay in foreground
          -H        failover even if hash is used
          -i        interactive control
          -M        use memory mapped IPC (accepted, no effect)
          -p        packetdump
          -t sec    specify connect timeout in seconds (default=5)
          -T sec    close a relayed connection idle for sec seconds (default=0, never)
          -6        force IPv6 listen socket
          --grace sec  on SIGTERM/SIGINT/kill, let relays finish for sec seconds (default=10)
          --fin-timeout sec  close a half-closed connection silent for sec seconds (default=60, 0=never)
          --kernel-relay  let the kernel relay kept-alive connections (BPF sockmap; needs
                    CAP_BPF and CAP_NET_ADMIN, else user space as without it; default off)
          --help    show this text

          channels: host[:port[:maxc]], IPv6 literals as [addr][:port[:maxc]];
          an empty port is the listen port; maxc 0 = unlimited.
          "!" separates groups (round robin), "%" ends a group as type hash.

        examples:
          balance smtp host1.test.net host2.test.net
          balance -fp imap mailserver
          balance -f 8888 host1 10.1.1.1:8000
          balance imap mailserver1::16 ! mailserver2
          balance pop3 host1 host2 host3 ! failover1
          balance telnet target.munich.net::1
          balance -c show 8888
          balance -i 8888

        """;
}
