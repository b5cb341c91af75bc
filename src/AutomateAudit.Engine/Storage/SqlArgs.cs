using System;
using System.Collections;
using System.Collections.Generic;
using System.Text;
using MySqlConnector;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// The named values of one statement, bound to the command as MySQL parameters: never spliced into the SQL text. A list
    /// value stands for a list of parameters, as Dapper expands it: <c>IN @ids</c> becomes <c>IN (@ids1,@ids2,...)</c>, and an
    /// empty list <c>IN (SELECT @ids WHERE 1 = 0)</c>, which matches nothing.
    /// </summary>
    /// <remarks>
    /// Bound here rather than by Dapper: Dapper emits and compiles a parameter writer for each statement's parameter type,
    /// and compiles its regular expressions on first use. In a fresh process (a scheduled task, an Automate script step) that
    /// was about a tenth of the first report row's time.
    /// </remarks>
    internal sealed class SqlArgs
    {
        private readonly List<KeyValuePair<string, object>> _values = new List<KeyValuePair<string, object>>();

        public SqlArgs() { }

        /// <summary>Starts with the public properties of an object (an anonymous one: <c>new { from, to }</c>).</summary>
        public SqlArgs(object values)
        {
            if (values == null) return;
            if (values is SqlArgs args) { _values.AddRange(args._values); return; }
            if (values is IEnumerable) throw new ArgumentException("Statement parameters must be one object of named values, not a list (" + values.GetType().Name + ").", nameof(values));
            foreach (var property in values.GetType().GetProperties())
            {
                if (property.GetIndexParameters().Length == 0) Add(property.Name, property.GetValue(values));
            }
        }

        public SqlArgs Add(string name, object value)
        {
            _values.Add(new KeyValuePair<string, object>(name, value));
            return this;
        }

        /// <summary>Adds the values to the command as parameters, expanding list values in its text.</summary>
        public void BindTo(MySqlCommand command)
        {
            foreach (var value in _values)
            {
                if (value.Value is IEnumerable list && !(value.Value is string) && !(value.Value is byte[]))
                    command.CommandText = ExpandList(command, command.CommandText, value.Key, list);
                else
                    command.Parameters.Add(new MySqlParameter("@" + value.Key, Scalar(value.Value)));
            }
        }

        private static string ExpandList(MySqlCommand command, string sql, string name, IEnumerable list)
        {
            var names = new StringBuilder("(");
            int count = 0;
            foreach (object item in list)
            {
                string itemName = "@" + name + (++count).ToString(System.Globalization.CultureInfo.InvariantCulture);
                if (count > 1) names.Append(',');
                names.Append(itemName);
                command.Parameters.Add(new MySqlParameter(itemName, Scalar(item)));
            }
            if (count == 0)
            {
                command.Parameters.Add(new MySqlParameter("@" + name, DBNull.Value));
                return ReplaceName(sql, name, "(SELECT @" + name + " WHERE 1 = 0)");
            }
            return ReplaceName(sql, name, names.Append(')').ToString());
        }

        /// <summary>Each <c>@name</c> not followed by a letter, digit or underscore (so <c>@ids</c> leaves <c>@ids2</c> alone).</summary>
        internal static string ReplaceName(string sql, string name, string replacement)
        {
            string token = "@" + name;
            var result = new StringBuilder(sql.Length + replacement.Length);
            int from = 0;
            for (int at = sql.IndexOf(token, StringComparison.Ordinal); at >= 0; at = sql.IndexOf(token, at + token.Length, StringComparison.Ordinal))
            {
                int end = at + token.Length;
                bool partOfLongerName = end < sql.Length && (char.IsLetterOrDigit(sql[end]) || sql[end] == '_');
                bool userVariable = at > 0 && sql[at - 1] == '@';
                if (partOfLongerName || userVariable) continue;
                result.Append(sql, from, at - from).Append(replacement);
                from = end;
            }
            return from == 0 ? sql : result.Append(sql, from, sql.Length - from).ToString();
        }

        private static object Scalar(object value)
        {
            if (value == null) return DBNull.Value;
            // An enum is stored as its number, as Dapper stores it.
            if (value is Enum) return Convert.ChangeType(value, Enum.GetUnderlyingType(value.GetType()), System.Globalization.CultureInfo.InvariantCulture);
            return value;
        }
    }
}
