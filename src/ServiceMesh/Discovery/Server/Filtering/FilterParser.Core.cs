using System.Globalization;
using System.Text;

namespace ServiceMesh.Discovery.Server.Filtering;

/// <summary>
/// The PEG machinery under <see cref="FilterParser"/>, recording failures as the pigeon-generated parser of go-bexpr does,
/// so a bad expression gets Consul's message: the farthest position reached and every token expected there, or a rule's own
/// error ("1:17 (16): rule \"number\": Invalid number literal").
/// </summary>
internal sealed partial class FilterParser
{
    private readonly string _text;
    private readonly HashSet<string> _expected = new(StringComparer.Ordinal);
    private readonly List<string> _errors = [];
    private readonly Stack<string> _rules = new();
    private readonly Dictionary<(int Rule, int Position, bool Inverted), (bool Ok, object? Value, int End)> _memo = [];
    private int _pos;
    private int _maxFail = -1;
    private bool _inverted;

    private FilterParser(string text) => _text = text;

    private readonly record struct Parsed(bool Ok, object? Value)
    {
        public static readonly Parsed Fail = new(false, null);
        public static Parsed Of(object? value) => new(true, value);
    }

    // A rule: named for the errors raised inside it, memoised per position (pigeon re-parses, which is exponential in nesting).
    private Parsed Rule(int id, string name, Func<Parsed> body)
    {
        var key = (id, _pos, _inverted);
        if (_memo.TryGetValue(key, out var memo))
        {
            _pos = memo.End;
            return new Parsed(memo.Ok, memo.Value);
        }

        var start = _pos;
        _rules.Push(name);
        var result = body();
        _rules.Pop();
        if (!result.Ok)
        {
            _pos = start;
        }
        _memo[key] = (result.Ok, result.Value, _pos);
        return result;
    }

    // Ordered choice: the first alternative that matches, each tried from the same place.
    private Parsed Choice(params Func<Parsed>[] alternatives)
    {
        var start = _pos;
        foreach (var alternative in alternatives)
        {
            var result = alternative();
            if (result.Ok)
            {
                return result;
            }
            _pos = start;
        }
        return Parsed.Fail;
    }

    // Runs a sequence written as a lambda over the && of its parts; puts the position back when a part fails.
    private bool Seq(Func<bool> parts)
    {
        var start = _pos;
        if (parts())
        {
            return true;
        }
        _pos = start;
        return false;
    }

    private bool Lit(string literal)
    {
        var start = _pos;
        var ok = string.CompareOrdinal(_text, _pos, literal, 0, literal.Length) == 0 && _pos + literal.Length <= _text.Length;
        Record(ok, start, GoQuote.Quote(literal));
        if (ok)
        {
            _pos += literal.Length;
        }
        return ok;
    }

    private bool Class(string shown, Func<char, bool> accepts)
    {
        var ok = _pos < _text.Length && accepts(_text[_pos]);
        Record(ok, _pos, shown);
        if (ok)
        {
            _pos++;
        }
        return ok;
    }

    private bool Any()
    {
        var ok = _pos < _text.Length;
        Record(ok, _pos, ".");
        if (ok)
        {
            _pos += char.IsHighSurrogate(_text[_pos]) && _pos + 1 < _text.Length ? 2 : 1;
        }
        return ok;
    }

    // !e: never consumes; inside it, what matches is what gets recorded (pigeon's inverted expectations, "!." at EOF).
    private bool Not(Func<bool> inner)
    {
        var start = _pos;
        _inverted = !_inverted;
        var ok = inner();
        _inverted = !_inverted;
        _pos = start;
        return !ok;
    }

    // &e: never consumes.
    private bool Ahead(Func<bool> inner)
    {
        var start = _pos;
        var ok = inner();
        _pos = start;
        return ok;
    }

    private static bool ZeroOrMore(Func<bool> inner)
    {
        while (inner())
        {
        }
        return true;
    }

    private static bool Optional(Func<bool> inner)
    {
        inner();
        return true;
    }

    // A rule's own error (pigeon's &{ return false, err }), at the current position; it fails the alternative.
    private bool RuleError(string message)
    {
        AddError(_pos, message);
        return false;
    }

    private void AddError(int position, string message)
    {
        var text = $"{Position(position)}: rule {_rules.Peek()}: {message}";
        if (!_errors.Contains(text))
        {
            _errors.Add(text);
        }
    }

    private void Record(bool matched, int position, string wanted)
    {
        if (matched != _inverted || position < _maxFail)
        {
            return;
        }
        if (position > _maxFail)
        {
            _maxFail = position;
            _expected.Clear();
        }
        _expected.Add(_inverted ? "!" + wanted : wanted);
    }

    // pigeon's "no match found": the tokens expected at the farthest failure, sorted, EOF last.
    private string NoMatch()
    {
        var eof = _expected.Remove("!.");
        var expected = _expected.Order(StringComparer.Ordinal).ToList();
        if (eof)
        {
            expected.Add("EOF");
        }
        var list = expected.Count <= 1
            ? string.Concat(expected)
            : string.Join(", ", expected.Take(expected.Count - 1)) + " or " + expected[^1];
        return $"{Position(Math.Max(_maxFail, 0))}: no match found, expected: {list}";
    }

    // "line:col (byte offset)", counted as pigeon counts: columns in runes from 1, a newline starting the next line at 0.
    private string Position(int index)
    {
        int line = 1, column = 0;
        for (var i = 0; i <= index; i++)
        {
            column++;
            if (i < _text.Length && _text[i] == '\n')
            {
                line++;
                column = 0;
            }
            if (i < _text.Length && char.IsHighSurrogate(_text[i]))
            {
                i++;
            }
        }
        var offset = Encoding.UTF8.GetByteCount(_text.AsSpan(0, Math.Min(index, _text.Length)));
        return string.Create(CultureInfo.InvariantCulture, $"{line}:{column} ({offset})");
    }
}
