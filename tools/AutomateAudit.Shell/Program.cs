using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Text;

namespace AutomateAudit.Shell
{
    /// <summary>
    /// A minimal non-interactive PowerShell for machines without pwsh (this repository's Linux build and
    /// CI): runs a script file or command text in a runspace of the PowerShell engine from NuGet. The
    /// engine carries only the core cmdlets, so output objects are laid out here as a plain table.
    /// Usage: aashell -File script.ps1 [-Name value ...] | aashell -Command "text"
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            if (args.Length < 2 || (args[0] != "-File" && args[0] != "-Command"))
            {
                Console.Error.WriteLine("usage: aashell -File script.ps1 [-Name value ...] | aashell -Command \"text\"");
                return 2;
            }
            var state = InitialSessionState.CreateDefault2();
            using var runspace = RunspaceFactory.CreateRunspace(state);
            runspace.Open();
            using var ps = PowerShell.Create(runspace);
            if (args[0] == "-File")
            {
                string path = Path.GetFullPath(args[1]);
                ps.AddCommand(path);
                for (int i = 2; i < args.Length; i++)
                {
                    if (args[i].StartsWith("-", StringComparison.Ordinal) && i + 1 < args.Length && !args[i + 1].StartsWith("-", StringComparison.Ordinal))
                    {
                        ps.AddParameter(args[i].Substring(1), args[i + 1]);
                        i++;
                    }
                    else if (args[i].StartsWith("-", StringComparison.Ordinal)) ps.AddParameter(args[i].Substring(1), true);
                    else ps.AddArgument(args[i]);
                }
            }
            else
            {
                ps.AddScript(string.Join(" ", args.Skip(1)));
            }

            bool failed = false;
            ps.Streams.Error.DataAdded += (s, e) => { failed = true; Console.Error.WriteLine("ERROR: " + Describe(ps.Streams.Error[e.Index])); };
            ps.Streams.Warning.DataAdded += (s, e) => Console.Error.WriteLine("WARNING: " + ps.Streams.Warning[e.Index].Message);
            ps.Streams.Verbose.DataAdded += (s, e) => Console.Error.WriteLine("VERBOSE: " + ps.Streams.Verbose[e.Index].Message);
            ps.Streams.Information.DataAdded += (s, e) => Console.WriteLine(ps.Streams.Information[e.Index].MessageData);

            var output = new PSDataCollection<PSObject>();
            var batch = new List<PSObject>();
            output.DataAdded += (s, e) =>
            {
                PSObject item = output[e.Index];
                if (item?.BaseObject is string || item?.BaseObject is ValueType)
                {
                    Flush(batch);
                    Console.WriteLine(item.BaseObject is IFormattable f ? f.ToString(null, CultureInfo.CurrentCulture) : item.ToString());
                }
                else if (item != null)
                {
                    if (batch.Count > 0 && !SameShape(batch[0], item)) Flush(batch);
                    batch.Add(item);
                }
            };
            try
            {
                ps.Invoke(null, output);
            }
            catch (RuntimeException ex)
            {
                Flush(batch);
                Console.Error.WriteLine("ERROR: " + Describe(ex.ErrorRecord));
                return 1;
            }
            Flush(batch);
            return failed || ps.HadErrors ? 1 : 0;
        }

        private static string Describe(ErrorRecord record)
        {
            string where = record.InvocationInfo?.PositionMessage;
            return record + (string.IsNullOrEmpty(where) ? string.Empty : Environment.NewLine + where);
        }

        private static bool SameShape(PSObject a, PSObject b) =>
            a.TypeNames.FirstOrDefault() == b.TypeNames.FirstOrDefault()
            && a.Properties.Select(p => p.Name).SequenceEqual(b.Properties.Select(p => p.Name));

        private static void Flush(List<PSObject> batch)
        {
            if (batch.Count == 0) return;
            var names = batch[0].Properties.Where(p => p.IsGettable).Select(p => p.Name).ToList();
            var rows = batch.Select(o => names.Select(n => Cell(o, n)).ToList()).ToList();
            var widths = names.Select((n, i) => Math.Min(40, Math.Max(n.Length, rows.Max(r => r[i].Length)))).ToList();
            var text = new StringBuilder();
            text.AppendLine(string.Join(" ", names.Select((n, i) => Fit(n, widths[i]))));
            text.AppendLine(string.Join(" ", widths.Select(w => new string('-', w))));
            foreach (var row in rows) text.AppendLine(string.Join(" ", row.Select((c, i) => Fit(c, widths[i]))).TrimEnd());
            Console.WriteLine(text.ToString());
            batch.Clear();
        }

        private static string Cell(PSObject o, string name)
        {
            object value;
            try { value = o.Properties[name]?.Value; } catch (GetValueException) { value = null; }
            return value switch
            {
                null => string.Empty,
                DateTime d => d.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                double x => x.ToString("0.##", CultureInfo.InvariantCulture),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => value.ToString(),
            };
        }

        private static string Fit(string s, int width)
        {
            s = s.Replace('\n', ' ').Replace('\r', ' ');
            return s.Length > width ? s.Substring(0, width - 1) + "~" : s.PadRight(width);
        }
    }
}
