using System;
using System.Globalization;
using System.IO;
using System.Text.RegularExpressions;

namespace AutomateAudit.Endpoint.Platform.Linux
{
    /// <summary>
    /// The machine's short host name and the ConnectWise Automate agent's ComputerID, read from files only.
    /// </summary>
    internal sealed class LinuxMachineInfo : IMachineInfo
    {
        private readonly string _procRoot;
        private readonly string _agentDirectory;
        private readonly Lazy<string> _computerName;
        private readonly Lazy<int?> _agentId;

        /// <param name="procRoot">Where /proc is (the host name is read from &lt;procRoot&gt;/sys/kernel/hostname).</param>
        /// <param name="agentDirectory">The Linux agent's directory; <see cref="LtechAgentState.DefaultDirectory"/> by default.</param>
        public LinuxMachineInfo(string procRoot = null, string agentDirectory = null)
        {
            _procRoot = procRoot ?? "/proc";
            _agentDirectory = agentDirectory ?? LtechAgentState.DefaultDirectory;
            _computerName = new Lazy<string>(ReadComputerName);
            _agentId = new Lazy<int?>(() => LtechAgentState.ReadComputerId(_agentDirectory));
        }

        /// <summary>The short host name (up to the first dot), as Windows reports its NetBIOS-style computer name.</summary>
        public string ComputerName => _computerName.Value;

        public int? AgentId => _agentId.Value;

        private string ReadComputerName()
        {
            string name = null;
            try
            {
                string path = Path.Combine(_procRoot, "sys", "kernel", "hostname");
                if (File.Exists(path)) name = File.ReadAllText(path).Trim();
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            if (string.IsNullOrEmpty(name)) name = Environment.MachineName;
            return ShortName(name);
        }

        internal static string ShortName(string hostName)
        {
            if (string.IsNullOrEmpty(hostName)) return hostName;
            int dot = hostName.IndexOf('.');
            return dot > 0 ? hostName.Substring(0, dot) : hostName;
        }
    }

    /// <summary>
    /// Reads the Automate Linux agent's ComputerID from its state file.
    /// <para>
    /// What was found (public sources, no ConnectWise documentation states it):
    /// <list type="bullet">
    /// <item>The Linux agent ("ltechagent", service ltechagent) installs into /usr/local/ltechagent: the binary
    /// /usr/local/ltechagent/ltechagent, uninstaller.sh, agent.log, agent_config, state and state_old. Sources:
    /// github.com/onezero1010101/ltechagent.service (ltechagent.service: WorkingDirectory=/usr/local/ltechagent),
    /// github.com/lightbulb703/clear-ltechagent-state (README quoting agent.log lines "Failed to read state file
    /// /usr/local/ltechagent/state. Trying to read the backup." and "Failed to read old state file
    /// /usr/local/ltechagent/state_old"), github.com/JohnDuprey/CWA-Deployment (LinuxAgentDeploy.sh).</item>
    /// <item>The state file is JSON and holds the ComputerID as a top-level number "computer_id". Sources:
    /// JohnDuprey/CWA-Deployment LinuxAgentDeploy.sh (after the Linux install: grep -oE '"computer_id":.*?([0-9]+)'
    /// /usr/local/ltechagent/state, printed as "Agent installed successfully - ID:"); JohnDuprey/CWCAutomateDiagnostics
    /// AutomateDiagnostics.py (json.load of /usr/local/ltechagent/state on Linux and macOS, reporting data['computer_id']
    /// as the agent id beside last_good_server_url, version, is_signed_in and last_contact {year, month, day_of_month,
    /// hour, min, sec}). The macOS agent uses the same directory and file (community uninstall and deploy scripts).</item>
    /// <item>agent_config is a "key value" text file (server_url, location_id, ssl, ...); no source shows a computer id in it.</item>
    /// </list>
    /// Unconfirmed: the exact JSON beyond those keys; whether computer_id can be a string; what it holds before the agent
    /// has signed up (taken as 0 → null here); the file's permissions (if only root can read it, a non-root caller
    /// gets null); whether newer agent versions moved it. When the state file cannot be read, state_old (the agent's
    /// own backup) is tried.
    /// </para>
    /// </summary>
    internal static class LtechAgentState
    {
        public const string DefaultDirectory = "/usr/local/ltechagent";

        private static readonly Regex ComputerIdPattern =
            new Regex("\"computer_id\"\\s*:\\s*\"?\\s*(-?[0-9]{1,10})\\s*\"?", RegexOptions.CultureInvariant);

        /// <summary>The ComputerID from &lt;directory&gt;/state, else &lt;directory&gt;/state_old; null when neither gives one.</summary>
        public static int? ReadComputerId(string directory)
        {
            if (string.IsNullOrEmpty(directory)) return null;
            foreach (string name in new[] { "state", "state_old" })
            {
                string text = TryRead(Path.Combine(directory, name));
                int? id = ParseComputerId(text);
                if (id.HasValue) return id;
            }
            return null;
        }

        /// <summary>The first "computer_id" value in the state file's text, when it is a positive 32-bit number; else null.</summary>
        public static int? ParseComputerId(string stateJson)
        {
            if (string.IsNullOrEmpty(stateJson)) return null;
            Match m = ComputerIdPattern.Match(stateJson);
            if (!m.Success) return null;
            if (!int.TryParse(m.Groups[1].Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out int id)) return null;
            return id > 0 ? id : (int?)null;
        }

        private static string TryRead(string path)
        {
            try { return File.Exists(path) ? File.ReadAllText(path) : null; }
            catch (IOException) { return null; }
            catch (UnauthorizedAccessException) { return null; }
        }
    }
}
