using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using AutomateAudit.Engine;
using AutomateAudit.Storage;

namespace AutomateAudit.Cmdlets
{
    /// <summary>
    /// Report cmdlets: computer filters bound from the pipeline by property name. Piped input is
    /// gathered and answered with one query in EndProcessing; a direct call streams its rows at once.
    /// </summary>
    public abstract class AuditReportCmdlet : AuditDatabaseCmdlet
    {
        private readonly List<int> _ids = new List<int>();
        private readonly HashSet<string> _clients = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _locations = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _computers = new HashSet<string>(System.StringComparer.OrdinalIgnoreCase);
        private bool _piped;

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ValidateNotNullOrEmpty]
        [ValidateRange(1, int.MaxValue)]
        public int[] ComputerId { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(NameCompleter))]
        public string[] Client { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(NameCompleter))]
        public string[] Location { get; set; }

        [Parameter(ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [Alias("Name", "ComputerName")]
        [ArgumentCompleter(typeof(NameCompleter))]
        public string[] Computer { get; set; }

        protected override void ProcessRecord()
        {
            if (MyInvocation.ExpectingInput)
            {
                _piped = true;
                if (ComputerId != null) _ids.AddRange(ComputerId);
                if (Client != null) _clients.UnionWith(Client);
                if (Location != null) _locations.UnionWith(Location);
                if (Computer != null) _computers.UnionWith(Computer);
                return;
            }
            Report(new ComputerFilter { ComputerIds = ComputerId, Client = Client, Location = Location, Computer = Computer });
        }

        protected override void EndProcessing()
        {
            if (!_piped) return;
            // Piped report rows carry ComputerId and names at once: the id is the sharper filter.
            var filter = _ids.Count > 0
                ? new ComputerFilter { ComputerIds = _ids.Distinct().ToArray() }
                : new ComputerFilter { Client = NullIfEmpty(_clients), Location = NullIfEmpty(_locations), Computer = NullIfEmpty(_computers) };
            Report(filter);
        }

        private static string[] NullIfEmpty(HashSet<string> set) => set.Count == 0 ? null : set.ToArray();

        /// <summary>Writes the report for one filter.</summary>
        internal abstract void Report(ComputerFilter filter);

        /// <summary>
        /// One non-terminating error per filter value that names no computer, client or location in Automate
        /// (a literal name or an id; a wildcard matching nothing is no error). A computer that merely has no
        /// history is no error, so pipelines between the cmdlets stay quiet.
        /// </summary>
        internal void WriteUnmatched(AuditSession session, ComputerFilter filter)
        {
            foreach (var (kind, value) in filter.Unmatched(session.Computers))
            {
                string what = kind == "Computer" && int.TryParse(value, out _) ? "no computer with ComputerID " + value : "no " + kind.ToLowerInvariant() + " named '" + value + "'";
                WriteError(new ErrorRecord(new ItemNotFoundException("Automate has " + what + " in " + session.Settings.Database + "."),
                    kind + "NotFound", ErrorCategory.ObjectNotFound, value));
            }
        }
    }
}
