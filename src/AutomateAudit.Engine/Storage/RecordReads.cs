using System;
using System.Data;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// Typed column reads for <see cref="AuditDatabase.Read{T}"/>. MySqlConnector reads any integer column as an Int32 without
    /// boxing it (and refuses a value out of range); its other getters box, so integers go through Int32 where they fit.
    /// </summary>
    internal static class RecordReads
    {
        public static int? NullableInt32(this IDataRecord record, int ordinal) =>
            record.IsDBNull(ordinal) ? (int?)null : record.GetInt32(ordinal);

        public static DateTime? NullableDateTime(this IDataRecord record, int ordinal) =>
            record.IsDBNull(ordinal) ? (DateTime?)null : record.GetDateTime(ordinal);

        /// <summary>Any integer column (or a BIGINT expression such as COUNT or TIMESTAMPDIFF), whatever type the server gives it.</summary>
        public static long Int64(this IDataRecord record, int ordinal) =>
            Convert.ToInt64(record.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);

        public static long? NullableInt64(this IDataRecord record, int ordinal) =>
            record.IsDBNull(ordinal) ? (long?)null : record.Int64(ordinal);

        public static string NullableString(this IDataRecord record, int ordinal) =>
            record.IsDBNull(ordinal) ? null : record.GetString(ordinal);
    }
}
