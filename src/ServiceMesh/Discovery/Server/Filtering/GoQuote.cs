using System.Globalization;
using System.Text;

namespace ServiceMesh.Discovery.Server.Filtering;

/// <summary>Go's strconv.Quote and Unquote, which bexpr's messages and string literals use.</summary>
internal static class GoQuote
{
    public static string Quote(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\a': builder.Append("\\a"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\v': builder.Append("\\v"); break;
                default:
                    if (rune.Value < 0x20 || rune.Value == 0x7F)
                    {
                        builder.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
                    }
                    else if (Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) is UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned)
                    {
                        builder.Append(rune.Value > 0xFFFF ? $"\\U{rune.Value.ToString("x8", CultureInfo.InvariantCulture)}" : $"\\u{rune.Value.ToString("x4", CultureInfo.InvariantCulture)}");
                    }
                    else
                    {
                        builder.Append(rune.ToString());
                    }
                    break;
            }
        }
        return builder.Append('"').ToString();
    }

    /// <summary>A `raw` or "interpreted" Go string literal's value; null where Go's Unquote says invalid syntax.</summary>
    public static string? Unquote(string literal)
    {
        if (literal.Length < 2 || literal[0] != literal[^1])
        {
            return null;
        }

        var body = literal[1..^1];
        if (literal[0] == '`')
        {
            return body.Contains('`', StringComparison.Ordinal) ? null : body.Replace("\r", "", StringComparison.Ordinal);
        }
        return body.Contains('\n', StringComparison.Ordinal) ? null : Interpret(body);
    }

    private static string? Interpret(string body)
    {
        var builder = new StringBuilder(body.Length);
        for (var i = 0; i < body.Length; i++)
        {
            if (body[i] == '"')
            {
                return null;
            }
            if (body[i] != '\\')
            {
                builder.Append(body[i]);
                continue;
            }
            if (++i >= body.Length)
            {
                return null;
            }

            var simple = body[i] switch
            {
                'a' => '\a', 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', 'v' => '\v',
                '\\' => '\\', '"' => '"', _ => (char?)null,
            };
            if (simple is { } c)
            {
                builder.Append(c);
                continue;
            }

            var (digits, radix) = body[i] switch { 'x' => (2, 16), 'u' => (4, 16), 'U' => (8, 16), >= '0' and <= '7' => (3, 8), _ => (0, 0) };
            var start = body[i] is >= '0' and <= '7' ? i : i + 1;
            if (digits == 0 || start + digits > body.Length || !TryNumber(body.AsSpan(start, digits), radix, out var code))
            {
                return null;
            }
            if (body[i] is 'x' or (>= '0' and <= '7'))
            {
                if (code > 0xFF)
                {
                    return null;
                }
                builder.Append((char)code); // Go appends the byte; for ASCII that is the same character
            }
            else if (!Rune.IsValid(code))
            {
                return null;
            }
            else
            {
                builder.Append(new Rune(code).ToString());
            }
            i = start + digits - 1;
        }
        return builder.ToString();
    }

    private static bool TryNumber(ReadOnlySpan<char> digits, int radix, out int value)
    {
        value = 0;
        foreach (var d in digits)
        {
            var v = d switch { >= '0' and <= '9' => d - '0', >= 'a' and <= 'f' => d - 'a' + 10, >= 'A' and <= 'F' => d - 'A' + 10, _ => 99 };
            if (v >= radix)
            {
                return false;
            }
            value = (value * radix) + v;
        }
        return true;
    }
}
