using System;

namespace AutomateAudit.Storage
{
    /// <summary>A database failure explained for an administrator: what was attempted, where, and why.</summary>
    public sealed class AuditDatabaseException : Exception
    {
        public AuditDatabaseException(string message, Exception inner = null) : base(message, inner) { }

        public bool IsConnectionFailure { get; set; }
    }
}
