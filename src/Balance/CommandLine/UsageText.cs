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
                  port [h1[:p1[:maxc1[:weight1]]] [!%@] [ ... hN[:pN[:maxcN[:weightN]]]]]
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
          --http addr:port  serve /metrics (Prometheus), /status.json and a status
                    page on this address, e.g. 127.0.0.1:9100 or [::1]:9100 (default: off)
          --check   health checks: connect to every channel each interval; a DOWN
                    channel is skipped until it is UP again (default: off)
          --check-interval sec  seconds between checks of a channel, fractions allowed (default=2)
          --check-timeout sec   seconds one check may take (default=the interval, at most -t)
          --rise n  good checks in a row that bring a DOWN channel back UP (default=2)
          --fall n  failed checks in a row that take a channel DOWN (default=3)
          --check-send str      send str once connected (escapes \r \n \t \\ \xHH)
          --check-expect str    the reply must contain str (alone: the server's greeting)
          --queue n  up to n clients wait for a slot while every channel is full (default=0, close them)
          --queue-timeout sec  longest wait in the queue (default: the -t timeout)
          --hash-type consistent|modulo  how % groups map clients (default=consistent)
          --kernel-relay  let the kernel relay kept-alive connections (BPF sockmap; needs
                    CAP_BPF and CAP_NET_ADMIN, else user space as without it; default off)
          --resolver addr[:port]  DNS server for srv: channels (default: /etc/resolv.conf)
          --etcd url[,url...]  share enable/disable/maxc/weight/create/assign through
                    etcd's HTTP gateway, e.g. http://127.0.0.1:2379 (default: off)
          --cluster name  the instances sharing state in etcd (required with --etcd)
          --send-proxy     start every backend connection with a PROXY protocol v1
                    header naming the real client (default: off)
          --send-proxy-v2  the same with the binary v2 header (default: off)
          --accept-proxy   clients must start with a PROXY v1/v2 header (from a
                    balancer in front); its address is the client's (default: off)
          --accept-proxy-from cidr[,cidr...]  who may send that header
                    (default=127.0.0.0/8,::1/128, loopback only)
          --log-connections  one line per relayed connection when it ends: time, client,
                    group, channel, backend, times, bytes, why (default: off)
          --log-format text|json  the connection log's format (default=text)
          --takeover  take the listen socket and admin state from the instance
                    running on this port (and -b), which then drains (default: off)
          --help    show this text

          channels: host[:port[:maxc[:weight]]], IPv6 literals as [addr][:port[:maxc[:weight]]];
          an empty port is the listen port; maxc 0 = unlimited; weight 1-1000, default 1.
          "!" separates groups (round robin), "%" ends a group as type hash,
          "@" ends a group as type least connections.
          srv:NAME[:maxc] takes the channels from the DNS SRV record NAME (followed
          while running): its lowest priority in this group, the next in the next.

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
