using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace AutomateAudit.Endpoint.Payload
{
    /// <summary>
    /// A small, strict JSON reader and writer (RFC 8259) for payloads from endpoints. The reader is built for
    /// hostile input: it bounds nesting, rejects duplicate names, trailing data and anything that is not JSON,
    /// and says where. Objects keep their member order. Numbers are kept as their text until asked for.
    /// </summary>
    internal static class Json
    {
        public const int MaxDepth = 16;

        public static object Parse(string text)
        {
            if (text == null) throw new PayloadException("The JSON is empty.");
            var reader = new Reader(text);
            reader.SkipWhitespace();
            object value = reader.ReadValue(0);
            reader.SkipWhitespace();
            if (!reader.AtEnd) throw reader.Error("unexpected text after the JSON value");
            return value;
        }

        /// <summary>A JSON number as read: its text, converted on demand.</summary>
        public sealed class Number
        {
            public Number(string text) { Text = text; }
            public string Text { get; }
            public override string ToString() => Text;
        }

        private sealed class Reader
        {
            private readonly string _text;
            private int _pos;

            public Reader(string text) { _text = text; }

            public bool AtEnd => _pos >= _text.Length;

            public PayloadException Error(string what) =>
                new PayloadException("The JSON is not valid at character " + (_pos + 1) + ": " + what + ".");

            public void SkipWhitespace()
            {
                while (_pos < _text.Length && (_text[_pos] == ' ' || _text[_pos] == '\t' || _text[_pos] == '\n' || _text[_pos] == '\r')) _pos++;
            }

            public object ReadValue(int depth)
            {
                if (depth > MaxDepth) throw Error("nested deeper than " + MaxDepth + " levels");
                if (AtEnd) throw Error("the text ends where a value was expected");
                char c = _text[_pos];
                switch (c)
                {
                    case '{': return ReadObject(depth);
                    case '[': return ReadArray(depth);
                    case '"': return ReadString();
                    case 't': Expect("true"); return true;
                    case 'f': Expect("false"); return false;
                    case 'n': Expect("null"); return null;
                    default:
                        if (c == '-' || (c >= '0' && c <= '9')) return ReadNumber();
                        throw Error("'" + c + "' cannot start a value");
                }
            }

            private void Expect(string word)
            {
                if (string.CompareOrdinal(_text, _pos, word, 0, word.Length) != 0) throw Error("expected '" + word + "'");
                _pos += word.Length;
            }

            private Dictionary<string, object> ReadObject(int depth)
            {
                var members = new Dictionary<string, object>(StringComparer.Ordinal);
                _pos++;
                SkipWhitespace();
                if (!AtEnd && _text[_pos] == '}') { _pos++; return members; }
                while (true)
                {
                    SkipWhitespace();
                    if (AtEnd || _text[_pos] != '"') throw Error("expected a member name in quotes");
                    int nameStart = _pos;
                    string name = ReadString();
                    // A name is compared as written: an escape in it ("User\u004eame") would name one member to
                    // this reader and another to a database's JSON functions, so names are plain text.
                    if (_text.IndexOf('\\', nameStart, _pos - nameStart) >= 0) { _pos = nameStart; throw Error("a member name with an escape"); }
                    if (members.ContainsKey(name)) throw Error("the member '" + Shorten(name) + "' appears twice");
                    SkipWhitespace();
                    if (AtEnd || _text[_pos] != ':') throw Error("expected ':' after a member name");
                    _pos++;
                    SkipWhitespace();
                    members[name] = ReadValue(depth + 1);
                    SkipWhitespace();
                    if (AtEnd) throw Error("the text ends inside an object");
                    if (_text[_pos] == ',') { _pos++; continue; }
                    if (_text[_pos] == '}') { _pos++; return members; }
                    throw Error("expected ',' or '}' in an object");
                }
            }

            private List<object> ReadArray(int depth)
            {
                var items = new List<object>();
                _pos++;
                SkipWhitespace();
                if (!AtEnd && _text[_pos] == ']') { _pos++; return items; }
                while (true)
                {
                    SkipWhitespace();
                    items.Add(ReadValue(depth + 1));
                    SkipWhitespace();
                    if (AtEnd) throw Error("the text ends inside an array");
                    if (_text[_pos] == ',') { _pos++; continue; }
                    if (_text[_pos] == ']') { _pos++; return items; }
                    throw Error("expected ',' or ']' in an array");
                }
            }

            private string ReadString()
            {
                var text = new StringBuilder();
                _pos++;
                while (true)
                {
                    if (AtEnd) throw Error("the text ends inside a string");
                    char c = _text[_pos++];
                    if (c == '"') return text.ToString();
                    if (c < 0x20) throw Error("a control character inside a string");
                    if (c != '\\') { text.Append(c); continue; }
                    if (AtEnd) throw Error("the text ends inside an escape");
                    char e = _text[_pos++];
                    switch (e)
                    {
                        case '"': text.Append('"'); break;
                        case '\\': text.Append('\\'); break;
                        case '/': text.Append('/'); break;
                        case 'b': text.Append('\b'); break;
                        case 'f': text.Append('\f'); break;
                        case 'n': text.Append('\n'); break;
                        case 'r': text.Append('\r'); break;
                        case 't': text.Append('\t'); break;
                        case 'u':
                            int code = ReadHex4();
                            // Half a surrogate pair is no character: refused, as UTF-8 and the database's JSON refuse it.
                            if (code >= 0xDC00 && code <= 0xDFFF) throw Error("a \\u escape that is half a surrogate pair");
                            if (code >= 0xD800 && code <= 0xDBFF)
                            {
                                if (_pos + 2 > _text.Length || _text[_pos] != '\\' || _text[_pos + 1] != 'u') throw Error("a \\u escape that is half a surrogate pair");
                                _pos += 2;
                                int low = ReadHex4();
                                if (low < 0xDC00 || low > 0xDFFF) throw Error("a \\u escape that is half a surrogate pair");
                                text.Append((char)code).Append((char)low);
                                break;
                            }
                            text.Append((char)code);
                            break;
                        default: throw Error("an unknown escape '\\" + e + "'");
                    }
                }
            }

            private int ReadHex4()
            {
                if (_pos + 4 > _text.Length || !int.TryParse(_text.Substring(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int code))
                    throw Error("a bad \\u escape");
                _pos += 4;
                return code;
            }

            private Number ReadNumber()
            {
                int start = _pos;
                if (_text[_pos] == '-') _pos++;
                if (AtEnd || !char.IsDigit(_text[_pos])) throw Error("a malformed number");
                if (_text[_pos] == '0') _pos++;
                else while (!AtEnd && _text[_pos] >= '0' && _text[_pos] <= '9') _pos++;
                if (!AtEnd && _text[_pos] == '.')
                {
                    _pos++;
                    if (AtEnd || !char.IsDigit(_text[_pos])) throw Error("a malformed number");
                    while (!AtEnd && _text[_pos] >= '0' && _text[_pos] <= '9') _pos++;
                }
                if (!AtEnd && (_text[_pos] == 'e' || _text[_pos] == 'E'))
                {
                    _pos++;
                    if (!AtEnd && (_text[_pos] == '+' || _text[_pos] == '-')) _pos++;
                    if (AtEnd || !char.IsDigit(_text[_pos])) throw Error("a malformed number");
                    while (!AtEnd && _text[_pos] >= '0' && _text[_pos] <= '9') _pos++;
                }
                if (_pos - start > 40) throw Error("a number longer than 40 characters");
                return new Number(_text.Substring(start, _pos - start));
            }
        }

        /// <summary>The first 40 characters (code points: a surrogate pair is never cut) and "...", for messages.</summary>
        internal static string Shorten(string text)
        {
            int end = 0;
            for (int n = 0; n < 40 && end < text.Length; n++) end += char.IsHighSurrogate(text[end]) && end + 1 < text.Length && char.IsLowSurrogate(text[end + 1]) ? 2 : 1;
            return end >= text.Length ? text : text.Substring(0, end) + "...";
        }

        /// <summary>Compact JSON of a tree of dictionaries (member order kept), lists, strings, numbers, booleans, nulls and UTC DateTimes.</summary>
        public static string Write(object value)
        {
            var text = new StringBuilder();
            WriteValue(text, value);
            return text.ToString();
        }

        private static void WriteValue(StringBuilder text, object value)
        {
            switch (value)
            {
                case null: text.Append("null"); break;
                case bool b: text.Append(b ? "true" : "false"); break;
                case string s: WriteString(text, s); break;
                case int i: text.Append(i.ToString(CultureInfo.InvariantCulture)); break;
                case long l: text.Append(l.ToString(CultureInfo.InvariantCulture)); break;
                case double d: text.Append(d.ToString("R", CultureInfo.InvariantCulture)); break;
                case DateTime t: WriteString(text, Iso(t)); break;
                case Number n: text.Append(n.Text); break;
                case IEnumerable<KeyValuePair<string, object>> members:
                    text.Append('{');
                    bool first = true;
                    foreach (var member in members)
                    {
                        if (!first) text.Append(',');
                        first = false;
                        WriteString(text, member.Key);
                        text.Append(':');
                        WriteValue(text, member.Value);
                    }
                    text.Append('}');
                    break;
                case System.Collections.IEnumerable items:
                    text.Append('[');
                    bool firstItem = true;
                    foreach (object item in items)
                    {
                        if (!firstItem) text.Append(',');
                        firstItem = false;
                        WriteValue(text, item);
                    }
                    text.Append(']');
                    break;
                default: throw new ArgumentException("Cannot write a " + value.GetType().Name + " as JSON.");
            }
        }

        /// <summary>An instant as ISO 8601 UTC with 7 fraction digits: "2026-11-25T13:00:00.0000000Z".</summary>
        public static string Iso(DateTime t) =>
            (t.Kind == DateTimeKind.Local ? t.ToUniversalTime() : DateTime.SpecifyKind(t, DateTimeKind.Utc)).ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

        private static void WriteString(StringBuilder text, string s)
        {
            text.Append('"');
            foreach (char c in s)
            {
                switch (c)
                {
                    case '"': text.Append("\\\""); break;
                    case '\\': text.Append("\\\\"); break;
                    case '\n': text.Append("\\n"); break;
                    case '\r': text.Append("\\r"); break;
                    case '\t': text.Append("\\t"); break;
                    default:
                        if (c < 0x20) text.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                        else text.Append(c);
                        break;
                }
            }
            text.Append('"');
        }
    }

    /// <summary>A payload or JSON document that cannot be accepted, with the reason in words.</summary>
    public sealed class PayloadException : Exception
    {
        public PayloadException(string message) : base(message) { }
    }
}
