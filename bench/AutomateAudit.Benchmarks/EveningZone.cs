using System;
using System.Globalization;

namespace AutomateAudit.Benchmarks
{
    /// <summary>
    /// The report reads today's raw changes, so its cost grows through the server's day: at 00:30 "today" holds half an
    /// hour of changes, at 23:00 nearly a day's (about 190,000 at 100,000 computers). The benchmark's server runs in a
    /// fixed-offset zone chosen so that its local clock reads <see cref="LocalHour"/> when the run starts, whatever the
    /// machine's time: every run measures the same evening workload, and a 30-minute run stays clear of midnight.
    /// </summary>
    public static class EveningZone
    {
        public const int LocalHour = 21;

        /// <summary>A POSIX TZ value (its offset is written west-positive: "BENCH+03:30" is UTC-03:30).</summary>
        public static string ForNow() => For(DateTime.UtcNow);

        public static string For(DateTime utcNow)
        {
            // Local = UTC + offset, with the offset in (-12 h, +12 h] and on a whole minute.
            int nowMinutes = utcNow.Hour * 60 + utcNow.Minute;
            int offset = LocalHour * 60 - nowMinutes;
            if (offset <= -12 * 60) offset += 24 * 60;
            if (offset > 12 * 60) offset -= 24 * 60;
            int west = -offset;
            return string.Format(CultureInfo.InvariantCulture, "BENCH{0}{1:00}:{2:00}", west < 0 ? "-" : "+", Math.Abs(west) / 60, Math.Abs(west) % 60);
        }

        public static string Describe(string zone) =>
            "server time zone `" + zone + "` (POSIX: its local clock read " + LocalHour.ToString("00", CultureInfo.InvariantCulture) +
            ":00 at the start, so \"today\" holds about " + LocalHour + " hours of changes in every run)";
    }
}
