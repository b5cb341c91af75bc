using System;
using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// Statements written once with @parameters, run two ways: by a store with bound parameters, and embedded in
    /// a stored procedure (the hosted jobs) with each parameter bound to a procedure variable or column.
    /// </summary>
    internal static class SqlTemplate
    {
        // @name, but not @@session... (a system variable).
        private static readonly Regex Parameter = new Regex(@"(?<!@)@([A-Za-z][A-Za-z0-9_]*)\b", RegexOptions.CultureInvariant);

        /// <summary>The per-row copy of a row template: @u becomes @u3, except the parameters shared by every row.</summary>
        public static string Number(string template, int row, ISet<string> shared) =>
            Parameter.Replace(template, m => shared.Contains(m.Groups[1].Value) ? m.Value : m.Value + row);

        /// <summary>The template with every parameter replaced by the SQL given for it; a parameter without a binding throws.</summary>
        public static string Bind(string template, IReadOnlyDictionary<string, string> bindings) =>
            Parameter.Replace(template, m => bindings.TryGetValue(m.Groups[1].Value, out string sql) ? sql
                : throw new ArgumentException("No binding for @" + m.Groups[1].Value + " in: " + template));

        /// <summary>The parameters a template uses.</summary>
        public static IEnumerable<string> Parameters(string template)
        {
            foreach (Match m in Parameter.Matches(template)) yield return m.Groups[1].Value;
        }
    }
}
