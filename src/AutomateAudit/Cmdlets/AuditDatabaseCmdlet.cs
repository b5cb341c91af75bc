using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using AutomateAudit.Engine;
using AutomateAudit.Storage;

namespace AutomateAudit.Cmdlets
{
    /// <summary>-SslMode: how the connection to the database is encrypted (MySqlConnector's modes).</summary>
    public enum AuditSslMode { None, Preferred, Required, VerifyCA, VerifyFull }

    /// <summary>
    /// What every database cmdlet shares: the connection parameters (usable from
    /// $PSDefaultParameterValues), Ctrl+C cancellation, verbose SQL logging and clear errors.
    /// </summary>
    public abstract class AuditDatabaseCmdlet : PSCmdlet
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>A full MySQL connection string; instead of -Server, -Port, -Database and -Credential.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string ConnectionString { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Server { get; set; }

        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = ConnectionSettings.DefaultPort;

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Database { get; set; } = ConnectionSettings.DefaultDatabase;

        [Parameter]
        [Credential]
        public PSCredential Credential { get; set; }

        [Parameter]
        public AuditSslMode? SslMode { get; set; }

        protected CancellationToken StopToken => _stop.Token;

        protected override void StopProcessing()
        {
            _stop.Cancel();
        }

        /// <summary>Opens the database or ends the command with one clear, password-free error.</summary>
        private AuditSession Open(ConnectionSettings settings)
        {
            try
            {
                return AuditSession.Open(settings, WriteVerbose, StopToken);
            }
            catch (AuditDatabaseException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "DatabaseConnectionFailed", ErrorCategory.ConnectionError, settings.Describe()));
                return null;
            }
        }

        private static readonly string[] PartParameters = { nameof(Server), nameof(Credential), nameof(Port), nameof(Database), nameof(SslMode) };

        private ConnectionSettings ResolveSettings()
        {
            var parts = PartParameters.Where(MyInvocation.BoundParameters.ContainsKey).ToList();
            try
            {
                bool useConnectionString = ConnectionString != null;
                if (useConnectionString && parts.Count > 0)
                {
                    // What was typed wins over $PSDefaultParameterValues: defaults for -Server/-Credential must not
                    // break an explicit -ConnectionString, nor the other way round.
                    bool stringFromDefaults = SuppliedByDefaults(nameof(ConnectionString), ConnectionString);
                    bool partsFromDefaults = parts.All(p => SuppliedByDefaults(p, MyInvocation.BoundParameters[p]));
                    if (stringFromDefaults == partsFromDefaults)
                        throw new ArgumentException(stringFromDefaults
                            ? "$PSDefaultParameterValues gives this command both -ConnectionString and -" + string.Join("/-", parts) + ": remove one of them."
                            : "Give either -ConnectionString or -Server/-Port/-Database/-Credential/-SslMode, not both.");
                    useConnectionString = partsFromDefaults;
                    WriteVerbose(useConnectionString
                        ? "Using -ConnectionString; the default -" + string.Join("/-", parts) + " from $PSDefaultParameterValues are ignored."
                        : "Using -" + string.Join("/-", parts) + "; the default -ConnectionString from $PSDefaultParameterValues is ignored.");
                }
                if (useConnectionString) return ConnectionSettings.FromConnectionString(ConnectionString);
                if (Server == null)
                    throw new ArgumentException("No database named: give -Server (with -Credential) or -ConnectionString, for example through $PSDefaultParameterValues['*:Server'].");
                return ConnectionSettings.FromParts(Server, Port, Database, Credential?.GetNetworkCredential(), SslMode?.ToString());
            }
            catch (ArgumentException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "InvalidConnectionParameters", ErrorCategory.InvalidArgument, null));
                return null;
            }
        }

        /// <summary>Whether a bound value is the one $PSDefaultParameterValues holds for this command (so it was not typed).</summary>
        private bool SuppliedByDefaults(string parameter, object value)
        {
            if (!(SessionState.PSVariable.GetValue("PSDefaultParameterValues") is System.Collections.IDictionary defaults)) return false;
            if (defaults["Disabled"] is bool disabled && disabled) return false;
            string command = MyInvocation.MyCommand.Name;
            foreach (System.Collections.DictionaryEntry entry in defaults)
            {
                string key = entry.Key as string;
                int colon = key?.IndexOf(':') ?? -1;
                if (colon <= 0) continue;
                var commandPattern = new WildcardPattern(key.Substring(0, colon).Trim(), WildcardOptions.IgnoreCase);
                var parameterPattern = new WildcardPattern(key.Substring(colon + 1).Trim(), WildcardOptions.IgnoreCase);
                if (!commandPattern.IsMatch(command) || !parameterPattern.IsMatch(parameter)) continue;
                object given = entry.Value is PSObject wrapped ? wrapped.BaseObject : entry.Value;
                object bound = value is PSObject boundWrapped ? boundWrapped.BaseObject : value;
                // A script block's value cannot be compared cheaply: a matching key is taken as the source.
                if (given is ScriptBlock || Equals(given, bound) || string.Equals(given?.ToString(), bound?.ToString(), StringComparison.Ordinal)) return true;
            }
            return false;
        }

        /// <summary>Opens the database, checks the module's tables are installed, and runs the body with clear errors.</summary>
        internal void WithDatabase(Action<AuditSession> body, bool requireSchema = true)
        {
            ConnectionSettings settings = ResolveSettings();
            using (AuditSession session = Open(settings))
            {
                RunDatabaseWork(() =>
                {
                    if (requireSchema) AssertSchemaInstalled(session);
                    body(session);
                }, settings.Database);
            }
        }

        /// <summary>Runs the body; database failures and cancellation become proper error records.</summary>
        private void RunDatabaseWork(Action body, string target)
        {
            try
            {
                body();
            }
            catch (AuditDatabaseException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, ex.IsConnectionFailure ? "DatabaseConnectionFailed" : "DatabaseError",
                    ex.IsConnectionFailure ? ErrorCategory.ConnectionError : ErrorCategory.InvalidOperation, target));
            }
            catch (FormatException ex)
            {
                // Something in the module's own tables that it did not write (hand edits, a foreign tool).
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException("The audit data in " + target + " is damaged: " + ex.Message, ex),
                    "AuditDataDamaged", ErrorCategory.InvalidData, target));
            }
            catch (OperationCanceledException) when (StopToken.IsCancellationRequested)
            {
                // Ctrl+C: PowerShell itself reports the stop.
            }
        }

        /// <summary>
        /// ShouldProcess that can show more under -WhatIf: when the user declined through -WhatIf, the
        /// detail (which may cost a query) is computed and shown as a second "What if:" line. Returns
        /// whether to do the work; -Confirm:$false and plain runs do it once, with no preview.
        /// </summary>
        protected bool ShouldProcessWithDetail(string target, string action, Func<string> whatIfDetail)
        {
            string description = "Performing the operation \"" + action + "\" on target \"" + target + "\".";
            string warning = "Are you sure you want to perform this action?" + Environment.NewLine + description;
            if (ShouldProcess(description, warning, "Confirm", out ShouldProcessReason reason)) return true;
            if (reason == ShouldProcessReason.WhatIf && whatIfDetail != null) ShouldProcess(whatIfDetail(), null, null);
            return false;
        }

        private void AssertSchemaInstalled(AuditSession session)
        {
            int? installed = session.Schema.InstalledVersion();
            if (installed == null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException("The AutomateAudit tables are not installed in " + session.Settings.Describe() + ". Run Install-AuditTable first."),
                    "SchemaNotInstalled", ErrorCategory.ObjectNotFound, session.Settings.Database));
            }
            else if (installed < SchemaInstaller.SchemaVersion)
            {
                // An upgrade added tables or indexes (aa_connection_summary in schema 2, covering indexes in 3): Install-AuditTable adds them, keeping every row.
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException("The AutomateAudit tables in " + session.Settings.Describe() + " are schema version " + installed +
                        "; this module needs version " + SchemaInstaller.SchemaVersion + ". Run Install-AuditTable (it keeps every row)."),
                    "SchemaOutdated", ErrorCategory.InvalidOperation, session.Settings.Database));
            }
            ThrowIfSchemaNewer(session, installed);
        }

        /// <summary>Tables a newer module version installed (schema 3 replaced indexes an older version's queries name): nothing runs over them.</summary>
        internal void ThrowIfSchemaNewer(AuditSession session, int? installed)
        {
            if (installed > SchemaInstaller.SchemaVersion)
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException("The AutomateAudit tables in " + session.Settings.Describe() + " are schema version " + installed +
                        ", newer than this module's " + SchemaInstaller.SchemaVersion + ": a newer AutomateAudit installed them. Update this module (" + ModuleInfo.Version + ")."),
                    "SchemaNewer", ErrorCategory.InvalidOperation, session.Settings.Database));
        }
    }
}
