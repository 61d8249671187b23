using System.Net;
using System.Text;
using Balance.Proxy.ProxyProtocol;
using CsCheck;

namespace Balance.Tests.Proxy.ProxyProtocol;

/// <summary>Reading PROXY headers: every family, pieces, and everything that must be refused.</summary>
public sealed class ProxyParserTests
{
    private static readonly byte[] Signature = ProxyV2Encoder.Signature.ToArray();

    private static ProxyParseStatus Parse(string text, out ProxyHeader header) => ProxyHeaderParser.Parse(Encoding.ASCII.GetBytes(text), out header);

    private static byte[] V2(byte versionCommand, byte family, int length, params byte[] body)
    {
        byte[] header = [.. Signature, versionCommand, family, (byte)(length >> 8), (byte)length, .. body];
        return header;
    }

    [Fact]
    public void V1_TCP4_with_the_clients_data_after_it()
    {
        Assert.Equal(ProxyParseStatus.Complete, Parse("PROXY TCP4 198.51.100.1 198.51.100.11 56324 443\r\nGET / HTTP/1.0\r\n", out ProxyHeader header));
        Assert.Equal(49, header.Length);
        Assert.Equal(1, header.Version);
        Assert.Equal(ProxyFamily.IPv4, header.Addresses.Family);
        Assert.Equal(new byte[] { 198, 51, 100, 1 }, header.Addresses.SourceBytes.ToArray());
        Assert.Equal(56324, header.Addresses.SourcePort);
        Assert.Equal(443, header.Addresses.DestinationPort);
    }

    [Fact]
    public void V1_TCP6()
    {
        Assert.Equal(ProxyParseStatus.Complete, Parse("PROXY TCP6 2001:db8::1 ::1 1 2\r\n", out ProxyHeader header));
        Assert.Equal(ProxyFamily.IPv6, header.Addresses.Family);
        Assert.Equal(IPAddress.Parse("2001:db8::1").GetAddressBytes(), header.Addresses.SourceBytes.ToArray());
    }

    [Theory]
    [InlineData("PROXY UNKNOWN\r\n")]
    [InlineData("PROXY UNKNOWN ffff:f...f:ffff ffff:f...f:ffff 65535 65535\r\n")]
    public void V1_unknown_uses_the_connections_addresses(string line)
    {
        Assert.Equal(ProxyParseStatus.Complete, Parse(line + "x", out ProxyHeader header));
        Assert.Equal(line.Length, header.Length);
        Assert.True(header.UsesConnectionAddresses);
    }

    [Fact]
    public void V1_of_107_bytes_is_taken_and_108_is_too_long()
    {
        string line107 = "PROXY UNKNOWN " + new string('f', 107 - 16) + "\r\n";
        Assert.Equal(107, line107.Length);
        Assert.Equal(ProxyParseStatus.Complete, Parse(line107, out _));
        string line108 = "PROXY UNKNOWN " + new string('f', 108 - 16) + "\r\n";
        Assert.Equal(ProxyParseStatus.TooLong, Parse(line108, out _));
        Assert.Equal(ProxyParseStatus.TooLong, Parse("PROXY TCP4 " + new string('1', 200), out _));
    }

    [Theory]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n")]
    [InlineData("PROXY TCP4 1.2.3 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 256.2.3.4 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP4 ::1 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY TCP6 1.2.3.4 ::1 1 2\r\n")]
    [InlineData("PROXY TCP6 fe80::1%eth0 ::1 1 2\r\n")]
    [InlineData("PROXY TCP6 [::1] ::1 1 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n")]
    [InlineData("PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n")]
    [InlineData("PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n")]
    [InlineData("PROXY \r\n")]
    [InlineData("PROXY UNKNOWNX\r\n")]
    public void V1_malformed_lines_are_refused(string line)
    {
        Assert.Equal(ProxyParseStatus.Malformed, Parse(line, out _));
    }

    [Theory]
    [InlineData("GET / HTTP/1.0\r\n")]
    [InlineData("PROXX TCP4")]
    [InlineData("proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n")]
    [InlineData("\r\n\r\nX")]
    [InlineData("SSH-2.0-OpenSSH\r\n")]
    public void Anything_else_is_not_a_header(string start)
    {
        Assert.Equal(ProxyParseStatus.NotProxy, Parse(start, out _));
    }

    [Fact]
    public void Every_prefix_of_a_header_is_incomplete()
    {
        byte[] v1 = Encoding.ASCII.GetBytes("PROXY TCP6 2001:db8::1 ::1 1 2\r\n");
        byte[] v2 = V2(0x21, 0x11, 12, 1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2);
        foreach (byte[] header in new[] { v1, v2 })
        {
            for (int length = 0; length < header.Length; length++)
            {
                Assert.Equal(ProxyParseStatus.Incomplete, ProxyHeaderParser.Parse(header.AsSpan(0, length), out _));
            }

            Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.Parse(header, out ProxyHeader parsed));
            Assert.Equal(header.Length, parsed.Length);
        }
    }

    [Fact]
    public void V2_TCP4_and_TCP6()
    {
        byte[] v4 = [.. V2(0x21, 0x11, 12, 10, 0, 0, 1, 10, 0, 0, 2, 0x12, 0x34, 0, 80), 0xAA];
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.Parse(v4, out ProxyHeader header));
        Assert.Equal(28, header.Length);
        Assert.Equal(2, header.Version);
        Assert.Equal(new byte[] { 10, 0, 0, 1 }, header.Addresses.SourceBytes.ToArray());
        Assert.Equal(0x1234, header.Addresses.SourcePort);
        Assert.Equal(80, header.Addresses.DestinationPort);

        byte[] body = new byte[36];
        IPAddress.Parse("2001:db8::9").GetAddressBytes().CopyTo(body, 0);
        IPAddress.IPv6Loopback.GetAddressBytes().CopyTo(body, 16);
        body[33] = 7;
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.Parse(V2(0x21, 0x21, 36, body), out header));
        Assert.Equal(ProxyFamily.IPv6, header.Addresses.Family);
        Assert.Equal(IPAddress.Parse("2001:db8::9").GetAddressBytes(), header.Addresses.SourceBytes.ToArray());
        Assert.Equal(7, header.Addresses.SourcePort);
    }

    [Fact]
    public void V2_TLVs_are_skipped_within_the_length()
    {
        byte[] tlvs = [0x04, 0x00, 0x03, (byte)'a', (byte)'b', (byte)'c', 0x05, 0x00, 0x01, 0x42];
        byte[] header = V2(0x21, 0x11, 12 + tlvs.Length, [1, 2, 3, 4, 5, 6, 7, 8, 0, 1, 0, 2, .. tlvs]);
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.Parse([.. header, 0x99], out ProxyHeader parsed));
        Assert.Equal(16 + 12 + tlvs.Length, parsed.Length);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, parsed.Addresses.SourceBytes.ToArray());
    }

    [Fact]
    public void V2_LOCAL_and_unspecified_family_use_the_connections_addresses()
    {
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.Parse(V2(0x20, 0x00, 0), out ProxyHeader local));
        Assert.True(local.UsesConnectionAddresses);
        Assert.Equal(16, local.Length);
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.Parse(V2(0x20, 0x11, 12, new byte[12]), out local));
        Assert.True(local.UsesConnectionAddresses);
        Assert.Equal(28, local.Length);
        Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.Parse(V2(0x21, 0x00, 3, 1, 2, 3), out ProxyHeader unspecified));
        Assert.True(unspecified.UsesConnectionAddresses);
        Assert.Equal(19, unspecified.Length);
    }

    [Fact]
    public void V2_bounds_version_command_and_family_are_checked()
    {
        Assert.Equal(ProxyParseStatus.Malformed, ProxyHeaderParser.Parse(V2(0x21, 0x11, 11, new byte[11]), out _)); // too short for TCP4
        Assert.Equal(ProxyParseStatus.Malformed, ProxyHeaderParser.Parse(V2(0x21, 0x21, 35, new byte[35]), out _)); // too short for TCP6
        Assert.Equal(ProxyParseStatus.Malformed, ProxyHeaderParser.Parse(V2(0x11, 0x11, 12, new byte[12]), out _)); // version 1
        Assert.Equal(ProxyParseStatus.Malformed, ProxyHeaderParser.Parse(V2(0x22, 0x11, 12, new byte[12]), out _)); // command 2
        Assert.Equal(ProxyParseStatus.Malformed, ProxyHeaderParser.Parse(V2(0x21, 0x12, 12, new byte[12]), out _)); // UDP
        Assert.Equal(ProxyParseStatus.Malformed, ProxyHeaderParser.Parse(V2(0x21, 0x31, 216, new byte[216]), out _)); // unix
        Assert.Equal(ProxyParseStatus.TooLong, ProxyHeaderParser.Parse(V2(0x21, 0x11, 65535), out _));
        Assert.Equal(ProxyParseStatus.TooLong, ProxyHeaderParser.Parse(V2(0x21, 0x11, ProxyHeaderParser.MaxLength - 15), out _));
        Assert.Equal(ProxyParseStatus.Incomplete, ProxyHeaderParser.Parse(V2(0x21, 0x11, ProxyHeaderParser.MaxLength - 16), out _));
    }

    [Fact]
    public void The_reader_takes_pieces_and_never_a_byte_past_the_header()
    {
        byte[] header = Encoding.ASCII.GetBytes("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n");
        byte[] stream = [.. header, .. "client data"u8];
        var reader = new ProxyHeaderReader();
        int position = 0;
        ProxyParseStatus status = ProxyParseStatus.Incomplete;
        foreach (int piece in new[] { 3, 10, 1, 40 })
        {
            int peeked = Math.Min(piece, stream.Length - position);
            stream.AsSpan(position, peeked).CopyTo(reader.Free);
            status = reader.Offer(peeked, out int take);
            position += take;
            if (status != ProxyParseStatus.Incomplete)
            {
                break;
            }
        }

        Assert.Equal(ProxyParseStatus.Complete, status);
        Assert.Equal(header.Length, position);
        Assert.Equal(new byte[] { 1, 2, 3, 4 }, reader.Header.Addresses.SourceBytes.ToArray());
        reader.Reset();
        "GET"u8.CopyTo(reader.Free);
        Assert.Equal(ProxyParseStatus.NotProxy, reader.Offer(3, out int none));
        Assert.Equal(0, none);
    }

    [Fact]
    public void Random_input_never_throws_and_never_claims_more_than_it_got()
    {
        Gen<byte[]> inputs = Gen.OneOf(
            Gen.Byte.Array[0, 300],
            Gen.Byte.Array[0, 60].Select(tail => (byte[])[.. "PROXY "u8, .. tail]),
            Gen.Select(Gen.OneOf(Gen.Const("TCP4 "), Gen.Const("TCP6 "), Gen.Const("UNKNOWN")), Gen.Char["0123456789abcdef.: \r\n"].Array[0, 110])
                .Select(t => Encoding.ASCII.GetBytes("PROXY " + t.Item1 + new string(t.Item2))),
            Gen.Select(Gen.Byte, Gen.Byte, Gen.UShort[0, 1100], Gen.Byte.Array[0, 200])
                .Select(t => (byte[])[.. Signature, t.Item1, t.Item2, (byte)(t.Item3 >> 8), (byte)t.Item3, .. t.Item4]));
        inputs.Sample(input =>
        {
            ProxyParseStatus status = ProxyHeaderParser.Parse(input, out ProxyHeader header);
            if (status == ProxyParseStatus.Complete)
            {
                Assert.InRange(header.Length, 1, Math.Min(input.Length, ProxyHeaderParser.MaxLength));

                // The header alone, without what followed it, parses the same: nothing past it was looked at.
                Assert.Equal(ProxyParseStatus.Complete, ProxyHeaderParser.Parse(input.AsSpan(0, header.Length), out ProxyHeader again));
                Assert.Equal(header.Length, again.Length);
            }
        }, iter: 20_000);
    }
}
