namespace AutomateAudit.Storage
{
    /// <summary>SQL fragments that turn Automate's naive local DATETIMEs into UTC and back, in the server's own zone.</summary>
    internal static class SqlTime
    {
        // The session's (= server's) time zone; the offset fallback covers servers whose named zones are
        // not loaded into mysql.time_zone_name.
        public static string LocalToUtc(string expression) =>
            "COALESCE(CONVERT_TZ(" + expression + ", @@session.time_zone, '+00:00'), " + expression + " - INTERVAL TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) SECOND)";

        public static string UtcToLocal(string expression) =>
            "COALESCE(CONVERT_TZ(" + expression + ", '+00:00', @@session.time_zone), " + expression + " + INTERVAL TIMESTAMPDIFF(SECOND, UTC_TIMESTAMP(), NOW()) SECOND)";

        /// <summary>
        /// A computer's LastContact in UTC, given the columns LastContact (NULL for a zero date) and
        /// Converted (its plain CONVERT_TZ reading), and the parameters @nowUtc and @nowLocal. When the local
        /// time is ambiguous (a DST fall-back repeats an hour: both readings an hour apart map back to it)
        /// the latest reading that is not in the future is taken, whichever one the server picked, because a
        /// new LastContact is minutes old. Servers without zone tables fall back to the age on the server clock.
        /// </summary>
        public static string LastContactUtc(string lastContact, string converted) =>
            "COALESCE(CASE " +
            "WHEN " + converted + " > @nowUtc AND CONVERT_TZ(" + converted + " - INTERVAL 1 HOUR, '+00:00', @@session.time_zone) = " + lastContact + " THEN " + converted + " - INTERVAL 1 HOUR " +
            "WHEN " + converted + " + INTERVAL 1 HOUR <= @nowUtc AND CONVERT_TZ(" + converted + " + INTERVAL 1 HOUR, '+00:00', @@session.time_zone) = " + lastContact + " THEN " + converted + " + INTERVAL 1 HOUR " +
            "ELSE " + converted + " END, " +
            "@nowUtc - INTERVAL TIMESTAMPDIFF(SECOND, " + lastContact + ", @nowLocal) SECOND)";

        /// <summary>LastContact with zero dates (which strict servers may still hold from old agents) as NULL.</summary>
        public static string NonZero(string column) => "IF(" + column + " < '1000-01-01', NULL, " + column + ")";
    }
}
