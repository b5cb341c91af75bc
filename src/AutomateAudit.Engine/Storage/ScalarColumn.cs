using System;
using System.Data.Common;
using System.Globalization;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// One-column results (a count, a time, a list of ids) read without Dapper: converted as Dapper converts them (a BIGINT
    /// COUNT read as an int, a NULL as null), with no deserializer to emit and compile in a fresh process.
    /// </summary>
    internal static class ScalarColumn<T>
    {
        private static readonly Type Underlying = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        private static readonly bool CanBeNull = !typeof(T).IsValueType || Nullable.GetUnderlyingType(typeof(T)) != null;

        /// <summary>Whether <typeparamref name="T"/> is one value (a number, text, time, bytes), not a row type for Dapper to map.</summary>
        public static readonly bool IsScalar = Underlying.IsPrimitive || Underlying.IsEnum || Underlying == typeof(string) || Underlying == typeof(decimal)
            || Underlying == typeof(DateTime) || Underlying == typeof(DateTimeOffset) || Underlying == typeof(TimeSpan) || Underlying == typeof(Guid) || Underlying == typeof(byte[]);

        public static T Read(DbDataReader reader)
        {
            object value = reader.GetValue(0);
            if (value is DBNull)
            {
                if (CanBeNull) return default(T);
                throw new InvalidCastException("The column " + reader.GetName(0) + " is NULL where " + Underlying.Name + " was expected.");
            }
            if (value is T typed) return typed;
            if (Underlying.IsEnum) return (T)Enum.ToObject(Underlying, value);
            return (T)Convert.ChangeType(value, Underlying, CultureInfo.InvariantCulture);
        }
    }
}
