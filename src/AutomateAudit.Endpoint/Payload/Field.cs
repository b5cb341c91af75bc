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
    /// Every rule is a plain grammar the hosted importer (aa_import_inbox, SQL) applies identically.
    /// </summary>
    internal static class Field
    {
        /// <summary>The date grammars, shared with the hosted importer's SQL (HostedInboxDecode), which matches the very same patterns.</summary>
        internal const string MsDatePattern = @"^/Date\((-?[0-9]{1,15})([+-][0-9]{4})?\)/\z";
        internal const string IsoDatePattern = @"^([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,7}))?(?:Z|([+-])([0-9]{2}):([0-9]{2}))\z";
        private static readonly Regex MsDate = new Regex(MsDatePattern, RegexOptions.CultureInvariant);

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

        /// <summary>
        /// A TimeSpan as "[-][d.]hh:mm:ss[.fffffff]" (IdleMon's and .NET's "c" text, at most 7 digits of days), as plain
        /// decimal seconds (at most 7 decimals, no exponent), or as ConvertTo-Json's object with Ticks. Each form is
        /// read exactly (no floating point), by this grammar and no other, so that the hosted importer (SQL) reads
        /// the same durations.
        /// </summary>
        public static TimeSpan? OptionalTimeSpan(Dictionary<string, object> m, string name, string where)
        {
            if (!m.TryGetValue(name, out object v) || v == null) return null;
            switch (v)
            {
                case string s when TryDuration(s, out TimeSpan t): return t;
                case Json.Number n when Seconds.IsMatch(n.Text) && decimal.TryParse(n.Text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out decimal seconds)
                    && Math.Abs(seconds) < 922337203685m:
                    return TimeSpan.FromTicks((long)(seconds * TimeSpan.TicksPerSecond));
                case Dictionary<string, object> o when o.TryGetValue("Ticks", out object ticks) && ticks is Json.Number tn && long.TryParse(tn.Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long tl):
                    return TimeSpan.FromTicks(tl);
                default: throw Bad(where, name, "is not a duration ([d.]hh:mm:ss[.fffffff])");
            }
        }

        private static readonly Regex Seconds = new Regex(@"^-?[0-9]{1,15}(\.[0-9]{1,7})?\z", RegexOptions.CultureInvariant);
        private static readonly Regex Duration = new Regex(@"^(-)?(?:([0-9]{1,7})\.)?([0-9]{2}):([0-9]{2}):([0-9]{2})(?:\.([0-9]{1,7}))?\z", RegexOptions.CultureInvariant);
        private static readonly Regex IsoDate = new Regex(IsoDatePattern, RegexOptions.CultureInvariant);

        /// <summary>"[-][d.]hh:mm:ss[.fffffff]" with hours below 24 and minutes and seconds below 60.</summary>
        public static bool TryDuration(string s, out TimeSpan duration)
        {
            duration = default;
            Match d = Duration.Match(s);
            if (!d.Success) return false;
            int hours = Int(d.Groups[3]), minutes = Int(d.Groups[4]), seconds = Int(d.Groups[5]);
            if (hours > 23 || minutes > 59 || seconds > 59) return false;
            long ticks = (((d.Groups[2].Success ? long.Parse(d.Groups[2].Value, CultureInfo.InvariantCulture) : 0) * 24 + hours) * 60 + minutes) * 60 + seconds;
            ticks = ticks * TimeSpan.TicksPerSecond + Fraction(d.Groups[6]);
            duration = TimeSpan.FromTicks(d.Groups[1].Success ? -ticks : ticks);
            return true;
        }

        private static int Int(Group g) => int.Parse(g.Value, NumberStyles.None, CultureInfo.InvariantCulture);

        /// <summary>Up to 7 fraction digits as ticks (100 ns).</summary>
        private static long Fraction(Group g) => g.Success ? long.Parse(g.Value.PadRight(7, '0'), NumberStyles.None, CultureInfo.InvariantCulture) : 0;

        /// <summary>
        /// "yyyy-MM-ddTHH:mm:ss[.fffffff]" with Z or a +hh:mm/-hh:mm offset (at most 14:00), or "/Date(ms)/"; a date
        /// without a zone is refused (its instant is unknown). This grammar and no other (the hosted importer's SQL
        /// reads exactly the same): the payload's and PowerShell 7's ISO text, and Windows PowerShell 5.1's /Date(ms)/.
        /// </summary>
        public static bool TryDate(string s, out DateTime utc)
        {
            utc = default;
            Match ms = MsDate.Match(s);
            if (ms.Success)
            {
                long millis = long.Parse(ms.Groups[1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                if (millis <= -62135596800000L || millis >= 253402300799000L) return false;
                utc = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc).AddMilliseconds(millis);
                return true;
            }
            Match iso = IsoDate.Match(s);
            if (!iso.Success) return false;
            int year = Int(iso.Groups[1]), month = Int(iso.Groups[2]), day = Int(iso.Groups[3]), hour = Int(iso.Groups[4]), minute = Int(iso.Groups[5]), second = Int(iso.Groups[6]);
            if (year < 1 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59) return false;
            int offset = 0;
            if (iso.Groups[8].Success)
            {
                int oh = Int(iso.Groups[9]), om = Int(iso.Groups[10]);
                if (om > 59 || oh * 60 + om > 14 * 60) return false;
                offset = (oh * 60 + om) * (iso.Groups[8].Value == "-" ? -1 : 1);
            }
            long ticks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).Ticks + Fraction(iso.Groups[7]) - offset * TimeSpan.TicksPerMinute;
            if (ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks) return false;
            utc = new DateTime(ticks, DateTimeKind.Utc);
            return true;
        }

        public static PayloadException Bad(string where, string name, string what) =>
            new PayloadException(where + ": '" + name + "' " + what + ".");
    }
}
