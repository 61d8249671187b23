using System.Globalization;
using System.Text;

namespace Balance.Health;

/// <summary>
/// The strings of --check-send and --check-expect: text with the escapes
/// <c>\r</c>, <c>\n</c>, <c>\t</c>, <c>\\</c> and <c>\xHH</c>, so that a
/// protocol's line ends and binary bytes fit on a command line. Other
/// characters stand for their UTF-8 bytes. A backslash before anything else
/// is an error rather than a guess.
/// </summary>
internal static class CheckEscapes
{
    public static byte[] Decode(string text, string option)
    {
        if (text.Length == 0)
        {
            throw new BalanceException($"balance: {option} needs a string that is not empty", ExitCodes.Usage);
        }

        var bytes = new List<byte>(text.Length);
        var plain = new StringBuilder();
        for (int i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                plain.Append(text[i]);
                continue;
            }

            bytes.AddRange(Encoding.UTF8.GetBytes(plain.ToString()));
            plain.Clear();
            char next = i + 1 < text.Length ? text[i + 1] : '\0';
            switch (next)
            {
                case 'r':
                    bytes.Add((byte)'\r');
                    break;
                case 'n':
                    bytes.Add((byte)'\n');
                    break;
                case 't':
                    bytes.Add((byte)'\t');
                    break;
                case '\\':
                    bytes.Add((byte)'\\');
                    break;
                case 'x' when IsHex(text, i + 2) && IsHex(text, i + 3):
                    bytes.Add(byte.Parse(text.AsSpan(i + 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
                    i += 2;
                    break;
                default:
                    throw Bad(text, i, option);
            }

            i++;
        }

        bytes.AddRange(Encoding.UTF8.GetBytes(plain.ToString()));
        return bytes.ToArray();
    }

    private static bool IsHex(string text, int at) => at < text.Length && char.IsAsciiHexDigit(text[at]);

    /// <summary>The bad escape as written: the backslash and what follows it (at most the two characters of a \x).</summary>
    private static BalanceException Bad(string text, int at, string option)
    {
        int length = Math.Min(text.Length - at, text.Length > at + 1 && text[at + 1] == 'x' ? 4 : 2);
        return new BalanceException(
            $"balance: invalid escape [{text.Substring(at, length)}] in {option}, use \\r \\n \\t \\\\ or \\xHH",
            ExitCodes.Usage);
    }
}
