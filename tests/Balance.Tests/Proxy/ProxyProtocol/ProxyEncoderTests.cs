using System.Net;
using System.Text;
using Balance.Proxy.ProxyProtocol;

namespace Balance.Tests.Proxy.ProxyProtocol;

/// <summary>The headers balance sends, against the specification's own examples and byte layout.</summary>
public sealed class ProxyEncoderTests
{
    private static ProxyAddresses Addresses(string source, int sourcePort, string destination, int destinationPort) =>
        ProxyAddresses.FromEndPoints(new IPEndPoint(IPAddress.Parse(source), sourcePort), new IPEndPoint(IPAddress.Parse(destination), destinationPort));

    private static string V1(ProxyAddresses addresses)
    {
        byte[] buffer = new byte[ProxyV1Encoder.MaxLength];
        int length = ProxyV1Encoder.Write(addresses, buffer);
        return Encoding.ASCII.GetString(buffer, 0, length);
    }

    private static byte[] V2(ProxyAddresses addresses)
    {
        byte[] buffer = new byte[ProxyV2Encoder.MaxLength];
        int length = ProxyV2Encoder.Write(addresses, buffer);
        return buffer[..length];
    }

    [Fact]
    public void V1_TCP4_is_the_specifications_example_line()
    {
        Assert.Equal("PROXY TCP4 198.51.100.1 198.51.100.11 56324 443\r\n", V1(Addresses("198.51.100.1", 56324, "198.51.100.11", 443)));
    }

    [Fact]
    public void V1_worst_case_TCP4_and_TCP6_lengths_are_the_specifications()
    {
        string v4 = V1(Addresses("255.255.255.255", 65535, "255.255.255.255", 65535));
        Assert.Equal("PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n", v4);
        Assert.Equal(56, v4.Length);
        const string full = "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff";
        string v6 = V1(Addresses(full, 65535, full, 65535));
        Assert.Equal($"PROXY TCP6 {full} {full} 65535 65535\r\n", v6);
        Assert.Equal(104, v6.Length);
        Assert.True(v6.Length <= ProxyV1Encoder.MaxLength);
    }

    [Fact]
    public void V1_unknown_is_the_short_form()
    {
        Assert.Equal("PROXY UNKNOWN\r\n", V1(default));
    }

    [Theory]
    [InlineData("::1")]
    [InlineData("2001:db8::1")]
    [InlineData("2001:db8:0:0:1:0:0:1")]
    [InlineData("2001:0:0:1:0:0:0:1")]
    [InlineData("fe80::")]
    [InlineData("::")]
    [InlineData("2001:db8:1:2:3:4:5:6")]
    [InlineData("2001:db8:0:1:1:1:1:1")]
    public void V1_IPv6_text_is_what_the_base_library_writes(string address)
    {
        // .NET writes RFC 5952 too (the canonical form inet_ntop gives): the same text.
        string expected = IPAddress.Parse(address).ToString();
        Assert.Equal($"PROXY TCP6 {expected} ::1 1 65535\r\n", V1(Addresses(address, 1, "::1", 65535)));
    }

    [Fact]
    public void IPv4_mapped_ends_are_reported_as_TCP4()
    {
        ProxyAddresses addresses = Addresses("::ffff:127.0.0.2", 4000, "::ffff:127.0.0.1", 80);
        Assert.Equal(ProxyFamily.IPv4, addresses.Family);
        Assert.Equal("PROXY TCP4 127.0.0.2 127.0.0.1 4000 80\r\n", V1(addresses));
    }

    [Fact]
    public void Sockaddrs_give_the_same_as_end_points()
    {
        byte[] client = new byte[28], local = new byte[28];
        Balance.Proxy.Linux.SocketAddressCodec.Write(IPAddress.Parse("::ffff:198.51.100.3"), 5555, client);
        Balance.Proxy.Linux.SocketAddressCodec.Write(IPAddress.Parse("::ffff:198.51.100.99"), 80, local);
        Assert.Equal("PROXY TCP4 198.51.100.3 198.51.100.99 5555 80\r\n", V1(ProxyAddresses.FromSockaddrs(client, local)));
        Balance.Proxy.Linux.SocketAddressCodec.Write(IPAddress.Parse("2001:db8::7"), 5555, client);
        Balance.Proxy.Linux.SocketAddressCodec.Write(IPAddress.Parse("2001:db8::1"), 443, local);
        Assert.Equal("PROXY TCP6 2001:db8::7 2001:db8::1 5555 443\r\n", V1(ProxyAddresses.FromSockaddrs(client, local)));
        Balance.Proxy.Linux.SocketAddressCodec.Write(IPAddress.Parse("192.0.2.1"), 1, client);
        Balance.Proxy.Linux.SocketAddressCodec.Write(IPAddress.Parse("192.0.2.2"), 2, local);
        Assert.Equal("PROXY TCP4 192.0.2.1 192.0.2.2 1 2\r\n", V1(ProxyAddresses.FromSockaddrs(client, local)));
    }

    [Fact]
    public void V2_TCP4_layout()
    {
        byte[] header = V2(Addresses("198.51.100.1", 56324, "198.51.100.11", 443));
        byte[] expected =
        [
            0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A,
            0x21, 0x11, 0x00, 0x0C,
            198, 51, 100, 1, 198, 51, 100, 11,
            0xDC, 0x04, 0x01, 0xBB,
        ];
        Assert.Equal(expected, header);
    }

    [Fact]
    public void V2_TCP6_layout()
    {
        byte[] header = V2(Addresses("2001:db8::1", 1, "::1", 65535));
        Assert.Equal(16 + 36, header.Length);
        Assert.Equal(ProxyV2Encoder.Signature.ToArray(), header[..12]);
        Assert.Equal(new byte[] { 0x21, 0x21, 0x00, 0x24 }, header[12..16]);
        Assert.Equal(IPAddress.Parse("2001:db8::1").GetAddressBytes(), header[16..32]);
        Assert.Equal(IPAddress.IPv6Loopback.GetAddressBytes(), header[32..48]);
        Assert.Equal(new byte[] { 0, 1, 0xFF, 0xFF }, header[48..52]);
    }

    [Fact]
    public void V2_unknown_family_is_LOCAL_with_nothing_after()
    {
        byte[] header = V2(default);
        Assert.Equal(16, header.Length);
        Assert.Equal(new byte[] { 0x20, 0x00, 0x00, 0x00 }, header[12..16]);
    }

    [Fact]
    public void Encoded_headers_parse_back_to_the_same_addresses()
    {
        foreach (ProxyAddresses addresses in new[] { Addresses("198.51.100.1", 1234, "198.51.100.2", 80), Addresses("2001:db8::5", 65535, "2001:db8::6", 0) })
        {
            foreach (byte[] header in new[] { Encoding.ASCII.GetBytes(V1(addresses)), V2(addresses) })
            {
                Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.Parse(header, out ProxyHeader parsed));
                Assert.Equal(header.Length, parsed.Length);
                Assert.Equal(addresses.Family, parsed.Addresses.Family);
                Assert.Equal(addresses.SourceBytes.ToArray(), parsed.Addresses.SourceBytes.ToArray());
                Assert.Equal(addresses.DestinationBytes.ToArray(), parsed.Addresses.DestinationBytes.ToArray());
                Assert.Equal(addresses.SourcePort, parsed.Addresses.SourcePort);
                Assert.Equal(addresses.DestinationPort, parsed.Addresses.DestinationPort);
            }
        }
    }
}
