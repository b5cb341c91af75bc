using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace AutomateAudit.Endpoint.Idle.Linux
{
    /// <summary>The automateaudit-idle.service unit text: a pure function of the paths.</summary>
    internal static class SystemdUnit
    {
        public const string UnitName = "automateaudit-idle.service";
        private static readonly Regex ParameterName = new Regex("^[A-Za-z][A-Za-z0-9]{0,63}$", RegexOptions.CultureInvariant);

        /// <summary>
        /// The unit. ExecStart runs `pwsh -NoProfile -NonInteractive -Command "Import-Module '&lt;module&gt;'; Start-IdleSampler
        /// [-Name 'value' ...]"`; the module path and values are PowerShell single-quoted strings (' doubled), and each
        /// word is quoted for systemd (<see cref="QuoteWord"/>). Hardening is minimal on purpose: the sampler must stat
        /// /dev/pts/* and /dev/tty*, read /run/utmp and /run/systemd/sessions, run loginctl (D-Bus to logind) and write
        /// /var/lib/automateaudit, so only NoNewPrivileges=yes and ProtectHome=read-only (home directories are never
        /// written; pwsh's own caches under /root then fail quietly), plus UMask=0027 so that the logs are not readable
        /// by every user.
        /// </summary>
        public static string Render(string pwshPath, string modulePath, IEnumerable<KeyValuePair<string, string>> samplerParameters = null)
        {
            if (string.IsNullOrEmpty(pwshPath) || pwshPath[0] != '/') throw new ArgumentException("The pwsh path must be absolute.", nameof(pwshPath));
            if (string.IsNullOrEmpty(modulePath) || modulePath[0] != '/') throw new ArgumentException("The module path must be absolute.", nameof(modulePath));
            var command = new StringBuilder("Import-Module ").Append(PowerShellQuote(modulePath)).Append("; Start-IdleSampler");
            foreach (var p in samplerParameters ?? Enumerable.Empty<KeyValuePair<string, string>>())
            {
                if (!ParameterName.IsMatch(p.Key ?? "")) throw new ArgumentException($"'{p.Key}' is not a parameter name.", nameof(samplerParameters));
                command.Append(" -").Append(p.Key);
                if (p.Value != null) command.Append(' ').Append(PowerShellQuote(p.Value));
            }
            string exec = string.Join(" ", new[] { pwshPath, "-NoProfile", "-NonInteractive", "-Command", command.ToString() }.Select(QuoteWord));

            var sb = new StringBuilder();
            sb.Append("# Written by AutomateAudit Register-IdleSampler; removed by Unregister-IdleSampler.\n");
            sb.Append("[Unit]\n");
            sb.Append("Description=AutomateAudit idle-time sampler (active and idle time of every user session)\n");
            sb.Append("After=systemd-logind.service\n");
            sb.Append("\n[Service]\n");
            sb.Append("Type=simple\n");
            sb.Append("User=root\n");
            sb.Append("Environment=POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off\n");
            sb.Append("ExecStart=").Append(exec).Append('\n');
            sb.Append("Restart=always\n");
            sb.Append("RestartSec=10\n");
            sb.Append("NoNewPrivileges=yes\n");
            sb.Append("ProtectHome=read-only\n");
            sb.Append("UMask=0027\n");
            sb.Append("\n[Install]\n");
            sb.Append("WantedBy=multi-user.target\n");
            return sb.ToString();
        }

        /// <summary>A PowerShell single-quoted string literal (also doubling the typographic quotes PowerShell treats as ').</summary>
        public static string PowerShellQuote(string value)
        {
            var sb = new StringBuilder("'");
            foreach (char c in value)
            {
                sb.Append(c);
                if (c == '\'' || c == '\u2018' || c == '\u2019' || c == '\u201A' || c == '\u201B') sb.Append(c);
            }
            return sb.Append('\'').ToString();
        }

        /// <summary>
        /// One word of a systemd command line: in double quotes, with \ and " backslash-escaped (systemd unquotes with
        /// C escapes), % doubled (specifiers) and $ doubled (environment expansion). Control characters are refused:
        /// a unit file line cannot carry them.
        /// </summary>
        public static string QuoteWord(string word)
        {
            if (word == null) throw new ArgumentNullException(nameof(word));
            var sb = new StringBuilder("\"");
            foreach (char c in word)
            {
                if (c < 0x20 || c == 0x7f) throw new ArgumentException("A systemd command line cannot carry control characters.", nameof(word));
                switch (c)
                {
                    case '\\': sb.Append("\\\\"); break;
                    case '"': sb.Append("\\\""); break;
                    case '%': sb.Append("%%"); break;
                    case '$': sb.Append("$$"); break;
                    default: sb.Append(c); break;
                }
            }
            return sb.Append('"').ToString();
        }
    }

    /// <summary>One thing Register/Unregister-IdleSampler does, for -WhatIf and the log.</summary>
    internal sealed class SetupStep
    {
        public SetupStepKind Kind { get; set; }
        /// <summary>The file or directory, or the program for a command.</summary>
        public string Target { get; set; }
        /// <summary>WriteFile: the content. RunCommand: unused.</summary>
        public string Content { get; set; }
        public IReadOnlyList<string> Arguments { get; set; } = new string[0];
        /// <summary>A command whose failure is not an error (disabling a unit that is not installed).</summary>
        public bool MayFail { get; set; }

        public override string ToString()
        {
            switch (Kind)
            {
                case SetupStepKind.WriteFile: return "Write " + Target;
                case SetupStepKind.RunCommand: return "Run " + Target + " " + string.Join(" ", Arguments);
                case SetupStepKind.DeleteFile: return "Delete " + Target;
                default: return "Delete directory " + Target;
            }
        }
    }

    internal enum SetupStepKind { WriteFile, RunCommand, DeleteFile, DeleteDirectory }

    /// <summary>
    /// Register-IdleSampler and Unregister-IdleSampler on Linux: Plan() lists the steps (for ShouldProcess/-WhatIf),
    /// Apply() does them. Register writes the unit to &lt;unitDirectory&gt;/automateaudit-idle.service, the exclude list
    /// to /etc/automateaudit/idle-exclude (one user per line, written even when empty), then runs `systemctl
    /// daemon-reload` and `systemctl enable --now automateaudit-idle.service`. Unregister runs `systemctl disable
    /// --now` (allowed to fail when nothing is installed), deletes the unit, the exclude file and the log directory,
    /// and reloads systemd. Programs run through <see cref="ICommandRunner"/>, no shell.
    /// </summary>
    internal sealed class LinuxIdleSamplerSetup
    {
        public const string DefaultUnitDirectory = "/etc/systemd/system";
        public const string DefaultSystemctl = "systemctl";
        public static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);

        private readonly ICommandRunner _runner;

        /// <param name="pwshPath">Absolute path of pwsh (the running one: Process.GetCurrentProcess().MainModule.FileName).</param>
        /// <param name="modulePath">Absolute path of the module manifest to import.</param>
        /// <param name="excludeUsers">Users never sampled; each must match [A-Za-z0-9._-]+.</param>
        /// <param name="samplerParameters">Extra Start-IdleSampler parameters (e.g. IdleThreshold = "00:10:00").</param>
        public LinuxIdleSamplerSetup(
            string pwshPath,
            string modulePath,
            IEnumerable<string> excludeUsers = null,
            IEnumerable<KeyValuePair<string, string>> samplerParameters = null,
            string unitDirectory = null,
            string excludeFile = null,
            string logDirectory = null,
            ICommandRunner runner = null,
            string systemctlPath = null)
        {
            PwshPath = pwshPath;
            ModulePath = modulePath;
            ExcludeUsers = (excludeUsers ?? Enumerable.Empty<string>()).Distinct(StringComparer.Ordinal).ToList();
            foreach (string u in ExcludeUsers)
            {
                if (!LinuxIdleSampler.IsValidUserName(u)) throw new ArgumentException($"'{u}' is not a user name ([A-Za-z0-9._-]+).", nameof(excludeUsers));
            }
            SamplerParameters = (samplerParameters ?? Enumerable.Empty<KeyValuePair<string, string>>()).ToList();
            UnitDirectory = unitDirectory ?? DefaultUnitDirectory;
            ExcludeFile = excludeFile ?? LinuxIdleSampler.DefaultExcludeFile;
            LogDirectory = logDirectory ?? LinuxIdleSampler.DefaultLogDirectory;
            _runner = runner ?? ProcessCommandRunner.Instance;
            SystemctlPath = systemctlPath ?? (File.Exists("/usr/bin/systemctl") ? "/usr/bin/systemctl" : File.Exists("/bin/systemctl") ? "/bin/systemctl" : DefaultSystemctl);
        }

        public string PwshPath { get; }
        public string ModulePath { get; }
        public IReadOnlyList<string> ExcludeUsers { get; }
        public IReadOnlyList<KeyValuePair<string, string>> SamplerParameters { get; }
        public string UnitDirectory { get; }
        public string ExcludeFile { get; }
        public string LogDirectory { get; }
        public string SystemctlPath { get; }
        public string UnitPath => Path.Combine(UnitDirectory, SystemdUnit.UnitName);

        public IReadOnlyList<SetupStep> Plan()
        {
            string unit = SystemdUnit.Render(PwshPath, ModulePath, SamplerParameters);
            string exclude = "# Users the AutomateAudit idle sampler does not monitor, one per line.\n" +
                             string.Concat(ExcludeUsers.Select(u => u + "\n"));
            return new[]
            {
                new SetupStep { Kind = SetupStepKind.WriteFile, Target = UnitPath, Content = unit },
                new SetupStep { Kind = SetupStepKind.WriteFile, Target = ExcludeFile, Content = exclude },
                Systemctl(false, "daemon-reload"),
                Systemctl(false, "enable", "--now", SystemdUnit.UnitName),
            };
        }

        public IReadOnlyList<SetupStep> PlanUnregister() => new[]
        {
            Systemctl(true, "disable", "--now", SystemdUnit.UnitName),
            new SetupStep { Kind = SetupStepKind.DeleteFile, Target = UnitPath },
            new SetupStep { Kind = SetupStepKind.DeleteFile, Target = ExcludeFile },
            new SetupStep { Kind = SetupStepKind.DeleteDirectory, Target = LogDirectory },
            Systemctl(true, "daemon-reload"),
        };

        /// <summary>Registers (and, when already registered, rewrites and restarts nothing but the unit: enable --now starts it if stopped).</summary>
        public void Apply() => Execute(Plan());

        public void Unregister() => Execute(PlanUnregister());

        /// <summary>Runs the steps in order; a failing command that may not fail stops with an InvalidOperationException.</summary>
        public void Execute(IEnumerable<SetupStep> steps)
        {
            foreach (SetupStep step in steps)
            {
                switch (step.Kind)
                {
                    case SetupStepKind.WriteFile:
                        Directory.CreateDirectory(Path.GetDirectoryName(step.Target));
                        string temporary = step.Target + ".tmp";
                        File.WriteAllText(temporary, step.Content, new UTF8Encoding(false));
                        if (File.Exists(step.Target)) File.Replace(temporary, step.Target, null);
                        else File.Move(temporary, step.Target);
                        break;
                    case SetupStepKind.DeleteFile:
                        if (File.Exists(step.Target)) File.Delete(step.Target);
                        DeleteIfEmpty(Path.GetDirectoryName(step.Target), keep: UnitDirectory);
                        break;
                    case SetupStepKind.DeleteDirectory:
                        CheckDeletable(step.Target);
                        if (Directory.Exists(step.Target)) Directory.Delete(step.Target, recursive: true);
                        DeleteIfEmpty(Path.GetDirectoryName(step.Target), keep: null);
                        break;
                    case SetupStepKind.RunCommand:
                        CommandResult r;
                        try { r = _runner.Run(step.Target, step.Arguments, CommandTimeout); }
                        catch (Exception e) when (e is System.ComponentModel.Win32Exception || e is FileNotFoundException)
                        {
                            if (step.MayFail) break;
                            throw new InvalidOperationException($"{step} could not be started ({e.Message}): this system does not seem to run systemd.", e);
                        }
                        if (!r.Succeeded && !step.MayFail)
                        {
                            string why = r.TimedOut ? "timed out" : $"exit code {r.ExitCode}: {r.StandardError.Trim()}";
                            throw new InvalidOperationException($"{step} failed ({why}).");
                        }
                        break;
                }
            }
        }

        private SetupStep Systemctl(bool mayFail, params string[] arguments) =>
            new SetupStep { Kind = SetupStepKind.RunCommand, Target = SystemctlPath, Arguments = arguments, MayFail = mayFail };

        /// <summary>The log directory is deleted recursively: refuse anything that is not a dedicated, deep enough absolute path.</summary>
        private static void CheckDeletable(string directory)
        {
            string full = Path.GetFullPath(directory).TrimEnd('/');
            int depth = full.Split(new[] { '/' }, StringSplitOptions.RemoveEmptyEntries).Length;
            if (!Path.IsPathRooted(directory) || depth < 2 || full.IndexOf("automateaudit", StringComparison.OrdinalIgnoreCase) < 0)
                throw new InvalidOperationException($"Refusing to delete '{directory}': the idle log directory must be an absolute path of at least two levels naming automateaudit.");
        }

        /// <summary>Removes a directory the setup created (/etc/automateaudit, /var/lib/automateaudit) once empty.</summary>
        private static void DeleteIfEmpty(string directory, string keep)
        {
            if (string.IsNullOrEmpty(directory) || directory == keep) return;
            if (Path.GetFileName(directory.TrimEnd('/')).IndexOf("automateaudit", StringComparison.OrdinalIgnoreCase) < 0) return;
            try { if (Directory.Exists(directory) && !Directory.EnumerateFileSystemEntries(directory).Any()) Directory.Delete(directory); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }
}
