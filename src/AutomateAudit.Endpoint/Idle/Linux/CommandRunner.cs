using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading.Tasks;

namespace AutomateAudit.Endpoint.Idle.Linux
{
    /// <summary>What a finished (or timed-out) child process left behind.</summary>
    internal sealed class CommandResult
    {
        public CommandResult(int exitCode, string standardOutput, string standardError, bool timedOut = false)
        {
            ExitCode = exitCode;
            StandardOutput = standardOutput ?? "";
            StandardError = standardError ?? "";
            TimedOut = timedOut;
        }

        public int ExitCode { get; }
        public string StandardOutput { get; }
        public string StandardError { get; }
        public bool TimedOut { get; }
        public bool Succeeded => !TimedOut && ExitCode == 0;
    }

    /// <summary>The only place the Linux idle code starts programs (loginctl, systemctl): replaced by a recorder in tests.</summary>
    internal interface ICommandRunner
    {
        /// <summary>Runs file with the arguments, no shell. Throws when the program cannot be started (missing); a timeout kills it and returns TimedOut.</summary>
        CommandResult Run(string file, IReadOnlyList<string> arguments, TimeSpan timeout);
    }

    /// <summary>
    /// Starts a program directly (UseShellExecute false, so no shell ever sees the arguments), with stdin closed,
    /// LC_ALL=C and no pager, and kills it after the timeout. netstandard2.0 has no ProcessStartInfo.ArgumentList,
    /// so the list is joined with <see cref="Quote"/>, the quoting that .NET's own argument parser undoes on Unix
    /// (the Windows C runtime rules), so each element arrives as exactly one argv entry.
    /// </summary>
    internal sealed class ProcessCommandRunner : ICommandRunner
    {
        public static readonly ProcessCommandRunner Instance = new ProcessCommandRunner();

        public CommandResult Run(string file, IReadOnlyList<string> arguments, TimeSpan timeout)
        {
            if (string.IsNullOrEmpty(file)) throw new ArgumentException("No program given.", nameof(file));
            var psi = new ProcessStartInfo(file, JoinArguments(arguments ?? new string[0]))
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                CreateNoWindow = true,
                StandardOutputEncoding = Encoding.UTF8,
                StandardErrorEncoding = Encoding.UTF8,
            };
            psi.EnvironmentVariables["LC_ALL"] = "C";
            psi.EnvironmentVariables["SYSTEMD_PAGER"] = "";
            psi.EnvironmentVariables["SYSTEMD_COLORS"] = "0";
            psi.EnvironmentVariables["PAGER"] = "cat";

            using (var process = Process.Start(psi))
            {
                process.StandardInput.Close();
                Task<string> stdout = process.StandardOutput.ReadToEndAsync();
                Task<string> stderr = process.StandardError.ReadToEndAsync();
                int ms = timeout <= TimeSpan.Zero ? 0 : timeout.TotalMilliseconds >= int.MaxValue ? int.MaxValue : (int)timeout.TotalMilliseconds;
                if (!process.WaitForExit(ms))
                {
                    try { process.Kill(); } catch (InvalidOperationException) { } catch (System.ComponentModel.Win32Exception) { }
                    process.WaitForExit(2000);
                    return new CommandResult(-1, Finished(stdout), Finished(stderr), timedOut: true);
                }
                process.WaitForExit(); // flushes the redirected streams
                return new CommandResult(process.ExitCode, Finished(stdout), Finished(stderr));
            }
        }

        private static string Finished(Task<string> t) => t.Wait(1000) ? t.Result : "";

        internal static string JoinArguments(IReadOnlyList<string> arguments)
        {
            var sb = new StringBuilder();
            for (int i = 0; i < arguments.Count; i++)
            {
                if (i > 0) sb.Append(' ');
                sb.Append(Quote(arguments[i]));
            }
            return sb.ToString();
        }

        /// <summary>One argument quoted so that the Windows C runtime rules (which .NET applies on Unix too) give it back unchanged.</summary>
        internal static string Quote(string argument)
        {
            if (argument == null) throw new ArgumentNullException(nameof(argument));
            if (argument.IndexOf('\0') >= 0) throw new ArgumentException("An argument cannot hold a NUL character.", nameof(argument));
            if (argument.Length > 0 && argument.IndexOfAny(new[] { ' ', '\t', '\n', '\v', '"', '\'', '\\' }) < 0) return argument;
            var sb = new StringBuilder("\"");
            int backslashes = 0;
            foreach (char c in argument)
            {
                if (c == '\\') { backslashes++; continue; }
                if (c == '"') { sb.Append('\\', backslashes * 2 + 1).Append('"'); backslashes = 0; continue; }
                sb.Append('\\', backslashes).Append(c);
                backslashes = 0;
            }
            sb.Append('\\', backslashes * 2).Append('"');
            return sb.ToString();
        }
    }
}
