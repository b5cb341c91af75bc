using System;
using System.Collections;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using AutomateAudit.Testing;

namespace AutomateAudit.PowerShell.Tests
{
    /// <summary>A runspace of the real PowerShell engine with the built module imported from module/AutomateAudit.</summary>
    public sealed class PsSession : IDisposable
    {
        private readonly Runspace _runspace;

        public PsSession(bool import = true)
        {
            var state = InitialSessionState.CreateDefault2();
            _runspace = RunspaceFactory.CreateRunspace(state);
            _runspace.Open();
            if (import) Run("Import-Module -Name $path -ErrorAction Stop", ("path", RepoPaths.ModuleManifest));
        }

        public Collection<PSObject> Run(string script, params (string Name, object Value)[] variables)
        {
            var (output, errors) = TryRun(script, variables);
            if (errors.Count > 0) throw new InvalidOperationException("PowerShell reported errors:\n" + string.Join("\n", errors.Select(e => e.ToString())));
            return output;
        }

        /// <summary>Runs a script; returns its output and every error (non-terminating or terminating).</summary>
        public (Collection<PSObject> Output, Collection<ErrorRecord> Errors) TryRun(string script, params (string Name, object Value)[] variables)
        {
            using var ps = System.Management.Automation.PowerShell.Create();
            ps.Runspace = _runspace;
            foreach (var (name, value) in variables) _runspace.SessionStateProxy.SetVariable(name, value);
            ps.AddScript(script);
            var errors = new Collection<ErrorRecord>();
            Collection<PSObject> output;
            try
            {
                output = ps.Invoke();
            }
            catch (RuntimeException ex)
            {
                output = new Collection<PSObject>();
                errors.Add(ex.ErrorRecord);
            }
            foreach (ErrorRecord e in ps.Streams.Error) errors.Add(e);
            return (output, errors);
        }

        public void Dispose() => _runspace.Dispose();
    }
}
