using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using AutomateAudit.Endpoint.Idle.Linux;
using AutomateAudit.Endpoint.Tests.Linux;
using Xunit.Abstractions;

namespace AutomateAudit.Endpoint.Tests.IdleLinux
{
    public sealed class SystemdUnitTests
    {
        private readonly ITestOutputHelper _output;
        public SystemdUnitTests(ITestOutputHelper output) => _output = output;

        private const string Pwsh = "/opt/microsoft/powershell/7/pwsh";
        private const string Module = "/opt/automateaudit/AutomateAudit.psd1";

        [Fact]
        public void UnitText()
        {
            Assert.Equal(
                "# Written by AutomateAudit Register-IdleSampler; removed by Unregister-IdleSampler.\n" +
                "[Unit]\n" +
                "Description=AutomateAudit idle-time sampler (active and idle time of every user session)\n" +
                "After=systemd-logind.service\n" +
                "\n[Service]\n" +
                "Type=simple\n" +
                "User=root\n" +
                "Environment=POWERSHELL_TELEMETRY_OPTOUT=1 POWERSHELL_UPDATECHECK=Off\n" +
                "ExecStart=\"/opt/microsoft/powershell/7/pwsh\" \"-NoProfile\" \"-NonInteractive\" \"-Command\" \"Import-Module '/opt/automateaudit/AutomateAudit.psd1'; Start-IdleSampler\"\n" +
                "Restart=always\n" +
                "RestartSec=10\n" +
                "NoNewPrivileges=yes\n" +
                "ProtectHome=read-only\n" +
                "UMask=0027\n" +
                "\n[Install]\n" +
                "WantedBy=multi-user.target\n",
                SystemdUnit.Render(Pwsh, Module));
        }

        /// <summary>systemd's reading of an ExecStart line, as systemd.service(5) documents it: % specifiers, words split
        /// on whitespace with double/single quotes and C escapes, then $$ → $.</summary>
        private static List<string> SystemdWords(string line)
        {
            var words = new List<string>();
            int i = 0;
            while (true)
            {
                while (i < line.Length && char.IsWhiteSpace(line[i])) i++;
                if (i >= line.Length) return words;
                var w = new StringBuilder();
                char quote = '\0';
                for (; i < line.Length; i++)
                {
                    char c = line[i];
                    if (quote == '\0' && char.IsWhiteSpace(c)) break;
                    if (quote == '\0' && (c == '"' || c == '\'')) { quote = c; continue; }
                    if (quote != '\0' && c == quote) { quote = '\0'; continue; }
                    if (c == '\\') { i++; w.Append(line[i] == 'n' ? '\n' : line[i]); continue; }
                    if (c == '%') { Assert.Equal('%', line[i + 1]); i++; w.Append('%'); continue; }
                    if (c == '$') { Assert.Equal('$', line[i + 1]); i++; w.Append('$'); continue; }
                    w.Append(c);
                }
                Assert.Equal('\0', quote);
                words.Add(w.ToString());
            }
        }

        [Theory]
        [InlineData("/opt/auto mate/AutomateAudit.psd1")]
        [InlineData("/opt/it's/100%/$HOME/${X}/back\\slash/\"q\"/AutomateAudit.psd1")]
        [InlineData("/opt/\u2019curly\u2019/AutomateAudit.psd1")]
        public void ExecStartSurvivesSystemdAndPowerShellQuoting(string module)
        {
            string unit = SystemdUnit.Render("/usr/local/bin/my pwsh", module, new[] { new KeyValuePair<string, string>("IdleThreshold", "00:10:00"), new KeyValuePair<string, string>("Verbose", null) });
            string exec = unit.Split('\n').Single(l => l.StartsWith("ExecStart=")).Substring("ExecStart=".Length);
            var words = SystemdWords(exec);
            Assert.Equal(new[] { "/usr/local/bin/my pwsh", "-NoProfile", "-NonInteractive", "-Command" }, words.Take(4));
            Assert.Equal(5, words.Count);
            string expectedLiteral = "'" + module.Replace("'", "''").Replace("\u2019", "\u2019\u2019") + "'";
            Assert.Equal("Import-Module " + expectedLiteral + "; Start-IdleSampler -IdleThreshold '00:10:00' -Verbose", words[4]);
        }

        [Theory]
        [InlineData("pwsh", Module)]
        [InlineData(Pwsh, "AutomateAudit.psd1")]
        [InlineData(Pwsh, "/opt/new\nline.psd1")]
        [InlineData("", Module)]
        public void BadPathsAreRefused(string pwsh, string module) =>
            Assert.Throws<ArgumentException>(() => SystemdUnit.Render(pwsh, module));

        [Fact]
        public void BadParameterNamesAreRefused() =>
            Assert.Throws<ArgumentException>(() => SystemdUnit.Render(Pwsh, Module, new[] { new KeyValuePair<string, string>("X; Remove-Item", "1") }));

        [Fact]
        public void SystemdAnalyzeVerifiesTheUnit()
        {
            const string tool = "/usr/bin/systemd-analyze";
            if (!File.Exists(tool))
            {
                _output.WriteLine("SKIPPED ASSERTION: /usr/bin/systemd-analyze is not installed, so the unit was not verified by systemd (the text is still checked by UnitText).");
                return;
            }
            using var dir = new TempDir();
            // verify checks that ExecStart's program exists and is executable: a stand-in pwsh in a path with a space.
            string pwsh = dir.Write("power shell/pwsh", "#!/bin/sh\nexit 0\n");
            var chmod = ProcessCommandRunner.Instance.Run("chmod", new[] { "755", pwsh }, TimeSpan.FromSeconds(10));
            Assert.True(chmod.Succeeded, chmod.StandardError);
            string unit = dir.Write("unit/" + SystemdUnit.UnitName, SystemdUnit.Render(pwsh, "/opt/it's 100%/$X\\AutomateAudit.psd1"));

            var r = ProcessCommandRunner.Instance.Run(tool, new[] { "verify", unit }, TimeSpan.FromSeconds(60));
            _output.WriteLine($"systemd-analyze verify: exit {r.ExitCode}\n{r.StandardOutput}{r.StandardError}");
            Assert.False(r.TimedOut);
            Assert.Equal(0, r.ExitCode);
            // Parse problems are reported as "<file>:<line>: ..." warnings with exit code 0: there must be none.
            Assert.DoesNotContain(SystemdUnit.UnitName + ":", r.StandardError);
            Assert.DoesNotContain("not executable", r.StandardError);

            // And it does catch a broken unit, so the assertion above means something.
            File.WriteAllText(unit, SystemdUnit.Render(pwsh, "/opt/AutomateAudit.psd1").Replace("Restart=always", "Restart=sometimes"));
            var bad = ProcessCommandRunner.Instance.Run(tool, new[] { "verify", unit }, TimeSpan.FromSeconds(60));
            Assert.Contains(SystemdUnit.UnitName + ":", bad.StandardError);
        }
    }

    public sealed class LinuxIdleSamplerSetupTests
    {
        private static LinuxIdleSamplerSetup Setup(TempDir dir, RecordingRunner runner, params string[] exclude) =>
            new LinuxIdleSamplerSetup("/usr/bin/pwsh", "/opt/automateaudit/AutomateAudit.psd1", exclude, null,
                unitDirectory: dir.Path("etc/systemd/system"), excludeFile: dir.Path("etc/automateaudit/idle-exclude"),
                logDirectory: dir.Path("var/lib/automateaudit/idle"), runner: runner, systemctlPath: "/usr/bin/systemctl");

        [Fact]
        public void RegisterWritesTheUnitAndExcludeListThenEnables()
        {
            using var dir = new TempDir();
            var runner = new RecordingRunner();
            var setup = Setup(dir, runner, "kiosk", "guest", "kiosk");
            Assert.Equal(new[]
            {
                "Write " + dir.Path("etc/systemd/system/automateaudit-idle.service"),
                "Write " + dir.Path("etc/automateaudit/idle-exclude"),
                "Run /usr/bin/systemctl daemon-reload",
                "Run /usr/bin/systemctl enable --now automateaudit-idle.service",
            }, setup.Plan().Select(s => s.ToString()));
            Assert.Empty(runner.Calls); // planning does nothing

            setup.Apply();
            Assert.Equal(SystemdUnit.Render("/usr/bin/pwsh", "/opt/automateaudit/AutomateAudit.psd1"), File.ReadAllText(setup.UnitPath));
            string exclude = File.ReadAllText(dir.Path("etc/automateaudit/idle-exclude"));
            Assert.Equal(new[] { "kiosk", "guest" }, LinuxIdleSampler.ParseExcludeList(exclude));
            Assert.Equal(new[] { "daemon-reload", "enable --now automateaudit-idle.service" }, runner.Calls.Select(c => string.Join(" ", c.Arguments)));
            Assert.All(runner.Calls, c => Assert.Equal("/usr/bin/systemctl", c.File));

            setup.Apply(); // again: files replaced in place
            Assert.False(File.Exists(setup.UnitPath + ".tmp"));
        }

        [Fact]
        public void UnregisterRemovesEveryTrace()
        {
            using var dir = new TempDir();
            var runner = new RecordingRunner();
            var setup = Setup(dir, runner, "kiosk");
            setup.Apply();
            dir.Write("var/lib/automateaudit/idle/alice.log", "2026-11-25T13:00:00Z A 1\n");
            dir.Write("var/lib/automateaudit/idle/alice.now", "2026-11-25T13:00:00Z 0 0 1\n");
            runner.Calls.Clear();
            runner.Answer = (f, a) => a[0] == "disable" ? new CommandResult(1, "", "Failed to disable unit") : new CommandResult(0, "", "");

            setup.Unregister();
            Assert.Equal(new[] { "disable --now automateaudit-idle.service", "daemon-reload" }, runner.Calls.Select(c => string.Join(" ", c.Arguments)));
            Assert.False(File.Exists(setup.UnitPath));
            Assert.True(Directory.Exists(dir.Path("etc/systemd/system"))); // the unit directory itself stays
            Assert.False(Directory.Exists(dir.Path("etc/automateaudit")));
            Assert.False(Directory.Exists(dir.Path("var/lib/automateaudit")));
            setup.Unregister(); // nothing left: still fine
        }

        [Fact]
        public void FailuresAndRefusals()
        {
            using var dir = new TempDir();
            var failing = new RecordingRunner { Answer = (f, a) => new CommandResult(1, "", "System has not been booted with systemd as init system (PID 1). Can't operate.") };
            var ex = Assert.Throws<InvalidOperationException>(() => Setup(dir, failing).Apply());
            Assert.Contains("not been booted with systemd", ex.Message);
            Assert.Single(failing.Calls); // stopped at daemon-reload

            var missing = new RecordingRunner { Answer = (f, a) => throw new System.ComponentModel.Win32Exception(2, "No such file or directory") };
            Assert.Contains("does not seem to run systemd", Assert.Throws<InvalidOperationException>(() => Setup(dir, missing).Apply()).Message);

            Assert.Throws<ArgumentException>(() => Setup(dir, new RecordingRunner(), "../../etc"));
            Assert.Throws<ArgumentException>(() => Setup(dir, new RecordingRunner(), "bad\nname"));

            var wide = new LinuxIdleSamplerSetup("/usr/bin/pwsh", "/opt/m.psd1", unitDirectory: dir.Path("u"), excludeFile: dir.Path("automateaudit/x"),
                logDirectory: "/var/lib", runner: new RecordingRunner());
            Assert.Throws<InvalidOperationException>(() => wide.Unregister());
            Assert.True(Directory.Exists("/var/lib"));
        }
    }
}
