using System;
using System.Collections.Generic;
using System.Linq;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// SQL building blocks of the hosted importer (aa_import_inbox and its helper procedures): the field rules of
    /// SessionValidator and Field as SQL expressions. Written for MySQL 8.0 and MariaDB 10.6+ alike: no backslash in
    /// any literal (a server running with NO_BACKSLASH_ESCAPES would read it differently), regular expressions
    /// matched under utf8mb4_bin (no case folding: under a _ci collation [A-Z] also matches the Kelvin sign), and
    /// \z rather than $ (which also matches before a final newline).
    /// </summary>
    internal static class HostedInboxSql
    {
        /// <summary>A regular expression as a SQL expression; every backslash is spelled CHAR(92), so no literal holds one.</summary>
        public static string Rx(string pattern)
        {
            if (pattern.Contains("~") || pattern.Contains("'")) throw new ArgumentException("A pattern may not hold ~ or a quote: " + pattern);
            return pattern.Contains("\\") ? "REPLACE('" + pattern.Replace("\\", "~") + "', '~', CHAR(92 USING utf8mb4))" : "'" + pattern + "'";
        }

        /// <summary>A SQL string literal of plain text (no backslash).</summary>
        public static string Str(string text)
        {
            if (text.Contains("\\")) throw new ArgumentException("A literal may not hold a backslash: " + text);
            return "'" + text.Replace("'", "''") + "'";
        }

        /// <summary>The text compared as bytes: no collation, no PAD SPACE ('a ' = 'a' under every utf8mb4 collation of MariaDB).</summary>
        public static string Bin(string x) => "CAST(" + x + " AS BINARY)";

        /// <summary>The matching expression under utf8mb4_bin.</summary>
        public static string Matches(string x, string pattern) => "(" + x + " COLLATE utf8mb4_bin REGEXP " + Rx(pattern) + ")";

        /// <summary>Length in UTF-16 code units, as .NET's string.Length counts (a character beyond U+FFFF counts 2).</summary>
        public static string Utf16Length(string x) => "(LENGTH(CONVERT(" + x + " USING utf16)) DIV 2)";

        /// <summary>Json.Shorten: the first 40 characters and "...".</summary>
        public static string Shorten(string x) => "IF(CHAR_LENGTH(" + x + ") <= 40, " + x + ", CONCAT(LEFT(" + x + ", 40), '...'))";

        /// <summary>SessionValidator's Printable: control characters as '?'.</summary>
        public static string Printable(string x) => "REGEXP_REPLACE(" + x + ", " + Rx(@"[\x00-\x1f\x7f]") + ", '?')";

        /// <summary>A JSON value (as JSON text) that is missing or null; the reader takes both as absent.</summary>
        public static string Absent(string j) => "(" + j + " IS NULL OR " + Bin(j) + " = 'null')";

        public static string Present(string j) => "(" + j + " IS NOT NULL AND " + Bin(j) + " <> 'null')";

        public static string IsString(string j) => "(LEFT(" + j + ", 1) = '\"')";

        /// <summary>The string a JSON string value holds (escapes decoded), else NULL.</summary>
        public static string StringOf(string j) => "IF(" + IsString(j) + ", JSON_UNQUOTE(" + j + "), NULL)";

        /// <summary>Field.OptionalInt: a JSON number that int.TryParse reads (whole, 32-bit), else NULL.</summary>
        public static string Int32Of(string j) =>
            "CASE WHEN " + Matches(j, @"^-?[0-9]{1,10}\z") + " THEN CASE WHEN CAST(" + j + " AS SIGNED) BETWEEN -2147483648 AND 2147483647 THEN CAST(" + j + " AS SIGNED) END END";

        /// <summary>A JSON number that long.TryParse reads with the given sign rule, as its text, else NULL.</summary>
        public static string Int64TextOf(string j, bool allowSign) =>
            "CASE WHEN " + Matches(j, allowSign ? @"^-?[0-9]{1,19}\z" : @"^[0-9]{1,19}\z") + " THEN CASE WHEN CAST(" + j + " AS DECIMAL(20,0)) BETWEEN " +
            (allowSign ? "-9223372036854775808" : "0") + " AND 9223372036854775807 THEN " + j + " END END";

        public static string BoolOf(string j) => "CASE " + Bin(j) + " WHEN 'true' THEN 1 WHEN 'false' THEN 0 END";

        /// <summary>SessionJson.Enum: a name (ASCII letters, any case) or a defined number, as the member's name, else NULL.</summary>
        public static string EnumOf(string j, IReadOnlyList<string> names)
        {
            string list = string.Join(", ", names.Select(Str));
            string lower = string.Join(", ", names.Select(n => Str(n.ToLowerInvariant())));
            string s = "JSON_UNQUOTE(" + j + ")";
            return "CASE WHEN " + IsString(j) + " THEN CASE WHEN " + Matches(s, @"^[A-Za-z]+\z") + " THEN ELT(FIELD(LOWER(" + s + " COLLATE utf8mb4_bin), " + lower + "), " + list + ") END " +
                "WHEN " + Matches(j, @"^[0-9]{1,10}\z") + " THEN CASE WHEN CAST(" + j + " AS UNSIGNED) < " + names.Count + " THEN ELT(CAST(" + j + " AS UNSIGNED) + 1, " + list + ") END END";
        }

        /// <summary>
        /// Field.OptionalTimeSpan as ticks, else NULL: "[-][d.]hh:mm:ss[.fffffff]", plain decimal seconds (at most 7
        /// decimals), or an object with a whole Ticks.
        /// </summary>
        public static string TicksOf(string j)
        {
            string s = "JSON_UNQUOTE(" + j + ")";
            string x = "IF(LEFT(" + s + ", 1) = '-', SUBSTRING(" + s + ", 2), " + s + ")";
            string first = "SUBSTRING_INDEX(" + x + ", ':', 1)";
            string last = "SUBSTRING_INDEX(" + x + ", ':', -1)";
            string days = "IF(LOCATE('.', " + first + ") > 0, CAST(SUBSTRING_INDEX(" + first + ", '.', 1) AS SIGNED), 0)";
            string hours = "CAST(RIGHT(" + first + ", 2) AS SIGNED)";
            string minutes = "CAST(SUBSTRING_INDEX(SUBSTRING_INDEX(" + x + ", ':', 2), ':', -1) AS SIGNED)";
            string seconds = "CAST(LEFT(" + last + ", 2) AS SIGNED)";
            string fraction = "CAST(RPAD(IF(CHAR_LENGTH(" + last + ") > 2, SUBSTRING(" + last + ", 4), ''), 7, '0') AS SIGNED)";
            string text = "CASE WHEN " + hours + " <= 23 AND " + minutes + " <= 59 AND " + seconds + " <= 59 THEN IF(LEFT(" + s + ", 1) = '-', -1, 1) * " +
                "((((" + days + " * 24 + " + hours + ") * 60 + " + minutes + ") * 60 + " + seconds + ") * 10000000 + " + fraction + ") END";
            string secondsForm = "CASE WHEN ABS(CAST(" + j + " AS DECIMAL(23,7))) < 922337203685 THEN CAST(TRUNCATE(CAST(" + j + " AS DECIMAL(23,7)) * 10000000, 0) AS SIGNED) END";
            string ticks = "JSON_EXTRACT(" + j + ", '$.Ticks')";
            return "CASE WHEN " + IsString(j) + " THEN CASE WHEN " + Matches(s, @"^-?([0-9]{1,7}\.)?[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,7})?\z") + " THEN " + text + " END " +
                "WHEN " + Matches(j, @"^-?[0-9]{1,15}(\.[0-9]{1,7})?\z") + " THEN " + secondsForm + " " +
                "WHEN LEFT(" + j + ", 1) = '{' THEN CAST(" + Int64TextOf(ticks, allowSign: true) + " AS SIGNED) END";
        }

        /// <summary>Math.Round(ticks / 10^7) as .NET rounds (half to even), for ticks of 0 or more.</summary>
        public static string RoundedSeconds(string ticks) =>
            "(" + ticks + " DIV 10000000 + CASE WHEN " + ticks + " MOD 10000000 > 5000000 THEN 1 WHEN " + ticks + " MOD 10000000 = 5000000 THEN (" + ticks + " DIV 10000000) MOD 2 ELSE 0 END)";

        /// <summary>TimeSpan.ToString("c") of ticks of 0 or more: [d.]hh:mm:ss[.fffffff].</summary>
        public static string DurationText(string ticks)
        {
            string secs = "(" + ticks + " DIV 10000000)";
            return "CONCAT(IF(" + secs + " >= 86400, CONCAT(" + secs + " DIV 86400, '.'), ''), LPAD((" + secs + " DIV 3600) MOD 24, 2, '0'), ':', " +
                "LPAD((" + secs + " DIV 60) MOD 60, 2, '0'), ':', LPAD(" + secs + " MOD 60, 2, '0'), " +
                "IF(" + ticks + " MOD 10000000 = 0, '', CONCAT('.', LPAD(" + ticks + " MOD 10000000, 7, '0'))))";
        }

        /// <summary>SessionValidator.CheckDate's bounds: a UTC instant (DATETIME(6) and its 7th fraction digit) before 2000 or after now + 1 day.</summary>
        public static string OutOfRange(string d6, string d7, string nowUtc) =>
            "(" + d6 + " < '2000-01-01' OR " + d6 + " > " + nowUtc + " + INTERVAL 1 DAY OR (" + d6 + " = " + nowUtc + " + INTERVAL 1 DAY AND " + d7 + " > 0))";

        public static string OutOfRangeMessage(string where, string field, string d6) =>
            "CONCAT(" + where + ", ': ''" + field + "'' is outside 2000-01-01 .. tomorrow (', DATE_FORMAT(" + d6 + ", '%Y-%m-%d %H:%i:%s'), ' UTC).')";

        /// <summary>SessionValidator.CheckAgent's message.</summary>
        public static string AgentMessage(string where, string agent, string computer) =>
            "CONCAT(" + where + ", ' says it comes from agent ', " + agent + ", ', but Automate ran the script on computer ', " + computer +
            ", ': a cloned agent or tampering. Nothing was saved.')";

        /// <summary>The text rules of SessionValidator, by name, as the conditions a value that passes meets.</summary>
        public static readonly IReadOnlyDictionary<string, string> Rules = new Dictionary<string, string>
        {
            // SessionValidator's own patterns. .NET matches UTF-16 units, so to it a letter beyond U+FFFF (a surrogate
            // pair) is no letter: refused here too for the patterns made of letters.
            ["user"] = Matches("v", Engine.Sessions.SessionValidator.UserName.ToString()),
            ["name"] = "(" + Matches("v", Engine.Sessions.SessionValidator.Name.ToString()) + " AND NOT " + Matches("v", Astral) + ")",
            ["terminal"] = "(" + Matches("v", Engine.Sessions.SessionValidator.Terminal.ToString()) + " AND NOT " + Matches("v", Astral) + ")",
            ["id"] = Matches("v", Engine.Sessions.SessionValidator.Identifier.ToString()),
            ["address"] = Matches("v", Engine.Sessions.SessionValidator.HostName.ToString()),
        };

        private const string Astral = @"[\x{10000}-\x{10ffff}]";

        /// <summary>Temporary tables the procedures share (one session); created when missing, emptied by whoever fills them.</summary>
        public static string CreateTemp(string name, string columns) =>
            "CREATE TEMPORARY TABLE IF NOT EXISTS " + name + " (" + columns + ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4";

        public const string TextColumn = "LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL";
    }
}
