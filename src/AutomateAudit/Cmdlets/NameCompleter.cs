using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using AutomateAudit.Engine;
using AutomateAudit.Storage;

namespace AutomateAudit.Cmdlets
{
    /// <summary>
    /// Tab completion of -Client, -Location and -Computer from the Automate database, when the command line or
    /// $PSDefaultParameterValues says which database (as dbatools completes instance names). A slow or absent
    /// server gives no completions rather than a hang: the connection has a 3-second timeout.
    /// </summary>
    public sealed class NameCompleter : IArgumentCompleter
    {
        private const int MaxCompletions = 50;

        public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
            CommandAst commandAst, IDictionary fakeBoundParameters)
        {
            NameKind kind = parameterName.Equals("Client", StringComparison.OrdinalIgnoreCase) ? NameKind.Client
                : parameterName.Equals("Location", StringComparison.OrdinalIgnoreCase) ? NameKind.Location : NameKind.Computer;
            string typed = (wordToComplete ?? string.Empty).Trim('\'', '"');
            List<string> names;
            try
            {
                ConnectionSettings settings = Settings(commandName, fakeBoundParameters);
                if (settings == null) return Enumerable.Empty<CompletionResult>();
                using (AuditSession session = AuditSession.Open(settings.WithTimeouts(3)))
                {
                    names = session.Computers.NamesLike(kind, ComputerFilter.WildcardToLike(typed + "*"), MaxCompletions);
                }
            }
            catch (Exception ex) when (ex is AuditDatabaseException || ex is ArgumentException || ex is InvalidOperationException)
            {
                return Enumerable.Empty<CompletionResult>();
            }
            return names.Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n));
        }

        private static string Quote(string name) =>
            name.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', ',', ';', '{', '}', '@', '#', '[', ']', '*', '?' }) < 0 ? name : "'" + name.Replace("'", "''") + "'";

        /// <summary>The database named on the command line, else by $PSDefaultParameterValues for this command; null when neither says.</summary>
        private static ConnectionSettings Settings(string commandName, IDictionary bound)
        {
            object Value(string parameter)
            {
                if (bound != null && bound.Contains(parameter)) return Unwrap(bound[parameter]);
                var defaults = Runspace() as IDictionary;
                if (defaults == null) return null;
                foreach (DictionaryEntry entry in defaults)
                {
                    string key = entry.Key as string;
                    int colon = key?.IndexOf(':') ?? -1;
                    if (colon <= 0 || entry.Value is ScriptBlock) continue;
                    if (new WildcardPattern(key.Substring(0, colon).Trim(), WildcardOptions.IgnoreCase).IsMatch(commandName)
                        && new WildcardPattern(key.Substring(colon + 1).Trim(), WildcardOptions.IgnoreCase).IsMatch(parameter))
                        return Unwrap(entry.Value);
                }
                return null;
            }
            if (Value("ConnectionString") is string cs) return ConnectionSettings.FromConnectionString(cs);
            if (!(Value("Server") is string server)) return null;
            int port = Value("Port") is int p ? p : ConnectionSettings.DefaultPort;
            string database = Value("Database") as string;
            var credential = Value("Credential") as PSCredential;
            return ConnectionSettings.FromParts(server, port, database, credential?.GetNetworkCredential(), null);
        }

        // The completer runs on the pipeline thread of the session asking: a script block reads its variables there
        // (the runspace's SessionStateProxy refuses while the completion pipeline runs).
        private static object Runspace() =>
            ScriptBlock.Create("$PSDefaultParameterValues").Invoke().Select(o => o?.BaseObject).FirstOrDefault();

        private static object Unwrap(object value) => value is PSObject o ? o.BaseObject : value;
    }
}
