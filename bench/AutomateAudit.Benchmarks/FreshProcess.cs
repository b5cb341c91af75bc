using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using AutomateAudit.Testing;

namespace AutomateAudit.Benchmarks
{
    /// <summary>
    /// Runs a command the way a scheduled task or an Automate step does: a fresh pwsh process (the repository's
    /// pinned pwsh 7, through `dotnet pwsh`), Import-Module, then the cmdlet timed by a Stopwatch inside the
    /// process. Also reports the whole process's wall time, and `pwsh -c exit` as its baseline.
    /// </summary>
    internal static class FreshProcess
    {
        /// <summary>The pwsh.dll to run instead of the pinned tool (<see cref="PrecompiledPwsh"/>); null for `dotnet pwsh`.</summary>
        public static string HostDll { get; set; }

        /// <summary>Environment variables set for each pwsh process (e.g. a .NET runtime setting under comparison).</summary>
        public static Dictionary<string, string> Environment { get; } = new Dictionary<string, string>();

        /// <summary>One run: the script must print "cmdlet_ms=&lt;ms&gt;" (and may print "import_ms=&lt;ms&gt;").</summary>
        public static (double CmdletMs, double ImportMs, double WallMs) Run(string script)
        {
            string prelude = "$ErrorActionPreference='Stop'; $iw=[Diagnostics.Stopwatch]::StartNew(); Import-Module '" + RepoPaths.ModuleManifest + "'; " +
                "'import_ms=' + $iw.Elapsed.TotalMilliseconds; ";
            var (output, wall) = Pwsh(prelude + script);
            double Value(string key) => output.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith(key + "=", StringComparison.Ordinal))
                .Select(l => double.Parse(l.Substring(key.Length + 1), CultureInfo.InvariantCulture)).DefaultIfEmpty(double.NaN).First();
            double cmdlet = Value("cmdlet_ms");
            if (double.IsNaN(cmdlet)) throw new InvalidOperationException("The benchmark script printed no cmdlet_ms:\n" + output);
            return (cmdlet, Value("import_ms"), wall);
        }

        /// <summary>One run, with everything it printed.</summary>
        public static (double CmdletMs, string Output) RunLogged(string script)
        {
            string prelude = "$ErrorActionPreference='Stop'; Import-Module '" + RepoPaths.ModuleManifest + "'; ";
            var (output, _) = Pwsh(prelude + script);
            string line = output.Split('\n').Select(l => l.Trim()).LastOrDefault(l => l.StartsWith("cmdlet_ms=", StringComparison.Ordinal))
                ?? throw new InvalidOperationException("The benchmark script printed no cmdlet_ms:\n" + output);
            return (double.Parse(line.Substring("cmdlet_ms=".Length), CultureInfo.InvariantCulture), output);
        }

        /// <summary>The median of n fresh runs of each figure.</summary>
        public static (double CmdletMs, double ImportMs, double WallMs) Median(string script, int n)
        {
            var runs = Enumerable.Range(0, n).Select(_ => Run(script)).ToList();
            return (Median(runs.Select(r => r.CmdletMs)), Median(runs.Select(r => r.ImportMs)), Median(runs.Select(r => r.WallMs)));
        }

        /// <summary>The wall time of `pwsh -c exit`: what any fresh process costs before the module does anything.</summary>
        public static double Baseline(int n) => Median(Enumerable.Range(0, n).Select(_ => Pwsh("exit").Wall));

        private static (string Output, double Wall) Pwsh(string command)
        {
            var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepoPaths.Root };
            foreach (string a in new[] { HostDll ?? "pwsh", "-NoProfile", "-NonInteractive", "-Command", command }) info.ArgumentList.Add(a);
            foreach (var variable in Environment) info.Environment[variable.Key] = variable.Value;
            var watch = Stopwatch.StartNew();
            using var process = Process.Start(info);
            string output = process.StandardOutput.ReadToEnd();
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            double wall = watch.Elapsed.TotalMilliseconds;
            if (process.ExitCode != 0) throw new InvalidOperationException("pwsh failed (" + process.ExitCode + "):\n" + output + errors);
            return (output.Replace("\r", string.Empty), wall);
        }

        public static double Median(IEnumerable<double> values)
        {
            var sorted = values.OrderBy(v => v).ToList();
            return sorted.Count == 0 ? double.NaN : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
        }
    }
}
