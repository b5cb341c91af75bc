using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
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
        protected AuditDatabase OpenDatabase()
        {
            ConnectionSettings settings = ResolveSettings();
            try
            {
                return AuditDatabase.Open(settings, WriteVerbose, StopToken);
            }
            catch (AuditDatabaseException ex)
            {
                ThrowTerminatingError(new ErrorRecord(ex, "DatabaseConnectionFailed", ErrorCategory.ConnectionError, settings.Describe()));
                return null;
            }
        }

        private ConnectionSettings ResolveSettings()
        {
            bool hasParts = new[] { nameof(Server), nameof(Credential), nameof(Port), nameof(Database), nameof(SslMode) }
                .Any(MyInvocation.BoundParameters.ContainsKey);
            try
            {
                if (ConnectionString != null)
                {
                    if (hasParts)
                        throw new ArgumentException("Give either -ConnectionString or -Server/-Port/-Database/-Credential/-SslMode, not both.");
                    return ConnectionSettings.FromConnectionString(ConnectionString);
                }
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

        /// <summary>Opens the database, checks the module's tables are installed, and runs the body with clear errors.</summary>
        protected void WithDatabase(Action<AuditDatabase> body, bool requireSchema = true)
        {
            using (AuditDatabase db = OpenDatabase())
            {
                RunDatabaseWork(() =>
                {
                    if (requireSchema) AssertSchemaInstalled(db);
                    body(db);
                }, db.Settings.Database);
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

        private void AssertSchemaInstalled(AuditDatabase db)
        {
            if (Engine.SchemaInstaller.InstalledVersion(db) == null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new InvalidOperationException("The AutomateAudit tables are not installed in " + db.Settings.Describe() + ". Run Install-AuditTable first."),
                    "SchemaNotInstalled", ErrorCategory.ObjectNotFound, db.Settings.Database));
            }
        }
    }
}
