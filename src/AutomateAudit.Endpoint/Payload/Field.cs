using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text.RegularExpressions;

namespace AutomateAudit.Endpoint.Payload
{
    /// <summary>
    /// Typed reads of JSON members, with errors that name the member and where it is. Dates are accepted as
    /// ISO 8601 with a zone (what the payload and PowerShell 7's ConvertTo-Json write) or as "\/Date(ms)\/"
    /// (Windows PowerShell 5.1's ConvertTo-Json); a date without a zone is refused, since its instant is unknown.
    /// </summary>
    internal static class Field
    {
        private static readonly Regex MsDate = new Regex(@"^/Date\((-?\d{1,15})([+-]\d{4})?\)/$", RegexOptions.CultureInvariant);

        public static string OptionalString(Dictionary<string, object> m, string name, string where)
        {
            if (!m.TryGetValue(name, out object v) || v == null) return null;
            return v as string ?? throw Bad(where, name, "is not a string");
        }

        public static int? OptionalInt(Dictionary<string, object> m, string name, string where)
        {
            if (!m.TryGetValue(name, out object v) || v == null) return null;
            if (v is Json.Number n && int.TryParse(n.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int i)) return i;
            throw Bad(where, name, "is not a whole number");
        }

        public static double? OptionalNumber(Dictionary<string, object> m, string name, string where)
        {
            if (!m.TryGetValue(name, out object v) || v == null) return null;
            if (v is Json.Number n && double.TryParse(n.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) && !double.IsInfinity(d)) return d;
            throw Bad(where, name, "is not a number");
        }

        public static bool? OptionalBool(Dictionary<string, object> m, string name, string where)
        {
            if (!m.TryGetValue(name, out object v) || v == null) return null;
            if (v is bool b) return b;
            throw Bad(where, name, "is not true or false");
        }

        public static DateTime? OptionalDate(Dictionary<string, object> m, string name, string where)
        {
            if (!m.TryGetValue(name, out object v) || v == null) return null;
            if (v is string s && TryDate(s, out DateTime utc)) return utc;
            throw Bad(where, name, "is not a date with a time zone (ISO 8601, e.g. 2026-11-25T13:00:00Z)");
        }

        /// <summary>A TimeSpan as "[d.]hh:mm:ss[.fffffff]" (IdleMon's and .NET's text), seconds, or ConvertTo-Json's object with Ticks.</summary>
        public static TimeSpan? OptionalTimeSpan(Dictionary<string, object> m, string name, string where)
        {
            if (!m.TryGetValue(name, out object v) || v == null) return null;
            switch (v)
            {
                case string s when TimeSpan.TryParseExact(s, "c", CultureInfo.InvariantCulture, out TimeSpan t): return t;
                case Json.Number n when double.TryParse(n.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && Math.Abs(seconds) < TimeSpan.MaxValue.TotalSeconds:
                    return TimeSpan.FromSeconds(seconds);
                case Dictionary<string, object> o when o.TryGetValue("Ticks", out object ticks) && ticks is Json.Number tn && long.TryParse(tn.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long tl):
                    return TimeSpan.FromTicks(tl);
                default: throw Bad(where, name, "is not a duration ([d.]hh:mm:ss[.fffffff])");
            }
        }

        public static bool TryDate(string s, out DateTime utc)
        {
            Match ms = MsDate.Match(s);
            if (ms.Success && long.TryParse(ms.Groups[1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long millis)
                && millis > -62135596800000L && millis < 253402300799000L)
            {
                utc = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(millis);
                return true;
            }
            bool zoned = s.EndsWith("Z", StringComparison.Ordinal) || Regex.IsMatch(s, @"[+-]\d\d:\d\d$");
            if (zoned && s.Length <= 40 && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.None, out DateTimeOffset dto))
            {
                utc = dto.UtcDateTime;
                return true;
            }
            utc = default;
            return false;
        }

        public static PayloadException Bad(string where, string name, string what) =>
            new PayloadException(where + ": '" + name + "' " + what + ".");
    }
}
