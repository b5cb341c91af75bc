using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.IO;
using System.Linq;
using System.Xml.Linq;
using AutomateAudit.Endpoint.Idle.Windows;
using AutomateAudit.Endpoint.Tests.Linux;

namespace AutomateAudit.Endpoint.Tests.IdleWindows
{
    public class WindowsIdleSamplerSetupTests
    {
        private sealed class FakeHost : IIdleSamplerHost
        {
            public readonly List<string> Calls = new List<string>();
            public string Xml;
            public bool TaskExists;
            public List<SessionCandidate> SessionList = new List<SessionCandidate>();
            public HashSet<int> FailIn = new HashSet<int>();

            public void RegisterTask(string name, string xml) { Calls.Add("register " + name); Xml = xml; TaskExists = true; }
            public bool DeleteTask(string name) { Calls.Add("delete " + name); bool had = TaskExists; TaskExists = false; return had; }
            public IReadOnlyList<SessionCandidate> Sessions() { Calls.Add("sessions"); return SessionList; }
            public int StartInSession(int sessionId, string exePath, string arguments)
            {
                Calls.Add($"start {sessionId} {exePath} {arguments}");
                if (FailIn.Contains(sessionId)) throw new Win32Exception(1008, "An attempt was made to reference a token that does not exist");
                return 1000 + sessionId;
            }
            public int StopSamplers(string processName) { Calls.Add("stop " + processName); return 2; }
        }

        private static (TempDir Dir, IdleSamplerPaths Paths) Machine()
        {
            var dir = new TempDir();
            string module = dir.WriteBytes(Path.Combine("Modules", "AutomateAudit", IdleSamplerPaths.ExeName), new byte[] { 0x4D, 0x5A, 1, 2, 3 });
            dir.Write(Path.Combine("Modules", "AutomateAudit", IdleSamplerPaths.ExeName + ".config"), "<configuration />");
            var paths = new IdleSamplerPaths
            {
                SourceExe = module,
                ProgramFolder = dir.Path(Path.Combine("Program Files", "AutomateAudit", "IdleSampler")),
                ExcludeFile = dir.Path(Path.Combine("ProgramData", "AutomateAudit", IdleExcludeList.FileName)),
                ProfileRoot = dir.Path("Users"),
            };
            return (dir, paths);
        }

        private static SessionCandidate S(int id, int state, string user) =>
            new SessionCandidate { SessionId = id, State = state, UserName = user, Domain = "CONTOSO" };

        [Fact]
        public void Apply_copies_writes_registers_and_starts_in_the_sessions()
        {
            var (dir, paths) = Machine();
            using (dir)
            {
                var host = new FakeHost { SessionList = { S(0, 4, null), S(1, 0, "alice"), S(2, 4, "kiosk"), S(3, 4, "bob") } };
                var result = new WindowsIdleSamplerSetup(paths, host).Apply(new[] { "kiosk" }, TimeSpan.FromMinutes(10));

                Assert.Equal(new byte[] { 0x4D, 0x5A, 1, 2, 3 }, File.ReadAllBytes(paths.InstalledExe));
                Assert.True(File.Exists(paths.InstalledExe + ".config"));
                Assert.Equal(new[] { "kiosk" }, IdleExcludeList.Read(paths.ExcludeFile));

                XNamespace t = "http://schemas.microsoft.com/windows/2004/02/mit/task";
                XElement exec = XDocument.Parse(host.Xml).Root.Element(t + "Actions").Element(t + "Exec");
                Assert.Equal(paths.InstalledExe, (string)exec.Element(t + "Command"));
                Assert.Equal("/threshold:600", (string)exec.Element(t + "Arguments"));

                Assert.Equal(new[]
                {
                    "register " + IdleSamplerTask.TaskName,
                    "sessions",
                    $"start 1 {paths.InstalledExe} /threshold:600",
                    $"start 3 {paths.InstalledExe} /threshold:600",
                }, host.Calls);
                Assert.Equal(new[] { 1, 3 }, result.StartedSessions);
                Assert.Empty(result.Warnings);
            }
        }

        [Fact]
        public void A_session_that_cannot_be_started_is_a_warning()
        {
            var (dir, paths) = Machine();
            using (dir)
            {
                var host = new FakeHost { SessionList = { S(1, 0, "alice"), S(2, 0, "bob") }, FailIn = { 1 } };
                var result = new WindowsIdleSamplerSetup(paths, host).Apply(null);
                Assert.Equal(new[] { 2 }, result.StartedSessions);
                Assert.Contains(result.Warnings, w => w.StartsWith("Session 1:"));
                Assert.False(File.Exists(paths.ExcludeFile));
            }
        }

        [Fact]
        public void Invalid_input_changes_nothing()
        {
            var (dir, paths) = Machine();
            using (dir)
            {
                var host = new FakeHost();
                var setup = new WindowsIdleSamplerSetup(paths, host);
                Assert.Throws<ArgumentException>(() => setup.Apply(new[] { "ok", "a\\b\\c" }));
                Assert.Throws<ArgumentOutOfRangeException>(() => setup.Apply(null, TimeSpan.FromSeconds(5)));
                Assert.Throws<ArgumentException>(() => setup.Plan(new[] { "bad|name" }));
                paths.SourceExe = dir.Path("missing.exe");
                Assert.Throws<FileNotFoundException>(() => setup.Apply(null));
                Assert.Empty(host.Calls);
                Assert.False(Directory.Exists(paths.ProgramFolder));
            }
        }

        [Fact]
        public void Reapply_with_the_same_exe_does_not_copy_and_a_new_exe_replaces_it()
        {
            var (dir, paths) = Machine();
            using (dir)
            {
                var setup = new WindowsIdleSamplerSetup(paths, new FakeHost());
                setup.Apply(null);
                var again = setup.Apply(new[] { "CONTOSO\\alice" });
                Assert.DoesNotContain(again.Done, d => d.StartsWith("Copied"));
                Assert.Equal(new[] { "CONTOSO\\alice" }, IdleExcludeList.Read(paths.ExcludeFile));

                File.WriteAllBytes(paths.SourceExe, new byte[] { 0x4D, 0x5A, 9 });
                var updated = setup.Apply(null);
                Assert.Contains(updated.Done, d => d.StartsWith("Copied " + IdleSamplerPaths.ExeName));
                Assert.Equal(new byte[] { 0x4D, 0x5A, 9 }, File.ReadAllBytes(paths.InstalledExe));
                Assert.Equal(new[] { IdleSamplerPaths.ExeName, IdleSamplerPaths.ExeName + ".config" },
                    Directory.GetFiles(paths.ProgramFolder).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
                Assert.False(File.Exists(paths.ExcludeFile)); // nobody excluded any more
            }
        }

        [Fact]
        public void Plan_lists_the_steps_without_doing_them()
        {
            var (dir, paths) = Machine();
            using (dir)
            {
                var host = new FakeHost();
                var steps = new WindowsIdleSamplerSetup(paths, host).Plan(new[] { "kiosk", "CONTOSO\\alice" });
                Assert.Equal(4, steps.Count);
                Assert.Contains(paths.ProgramFolder, steps[0]);
                Assert.Contains("kiosk, CONTOSO\\alice", steps[1]);
                Assert.Contains(IdleSamplerTask.TaskName, steps[2]);
                Assert.Contains("except the excluded users'", steps[3]);
                Assert.Empty(host.Calls);
                Assert.False(Directory.Exists(paths.ProgramFolder));
                Assert.Equal(5, new WindowsIdleSamplerSetup(paths, host).PlanRemoval().Count);
            }
        }

        [Fact]
        public void Remove_deletes_every_trace()
        {
            var (dir, paths) = Machine();
            using (dir)
            {
                var host = new FakeHost();
                var setup = new WindowsIdleSamplerSetup(paths, host);
                setup.Apply(new[] { "kiosk" });
                string alice = dir.Write(Path.Combine("Users", "alice", "AppData", "Local", "AutomateAudit", "idle.log"), "2026-11-25T13:05:00Z A 3\n");
                dir.Write(Path.Combine("Users", "alice", "AppData", "Local", "AutomateAudit", "idle.now"), "x");
                string bobOther = dir.Write(Path.Combine("Users", "bob", "AppData", "Local", "Other", "keep.txt"), "keep");
                File.SetAttributes(alice, FileAttributes.ReadOnly);
                host.Calls.Clear();

                var result = setup.Remove();

                Assert.Equal(new[] { "delete " + IdleSamplerTask.TaskName, "stop " + IdleSamplerPaths.ProcessName }, host.Calls);
                Assert.False(Directory.Exists(paths.ProgramFolder));
                Assert.False(Directory.Exists(Path.GetDirectoryName(paths.ProgramFolder))); // Program Files\AutomateAudit, now empty
                Assert.False(File.Exists(paths.ExcludeFile));
                Assert.False(Directory.Exists(Path.GetDirectoryName(paths.ExcludeFile)));
                Assert.False(Directory.Exists(Path.GetDirectoryName(alice)));
                Assert.True(File.Exists(bobOther));
                Assert.Empty(result.Warnings);

                // Twice is fine.
                var again = setup.Remove();
                Assert.Empty(again.Warnings);
                Assert.Contains(again.Done, d => d.StartsWith("No scheduled task"));
            }
        }

        [Fact]
        public void Remove_never_follows_links_planted_in_a_profile()
        {
            if (OperatingSystem.IsWindows()) return; // symbolic links need a privilege there; the logic is the same
            var (dir, paths) = Machine();
            using (dir)
            {
                string precious = dir.Write(Path.Combine("Windows", "System32", "precious.dll"), "keep");
                string system32 = Path.GetDirectoryName(precious);
                // mallory's AutomateAudit folder holds a link to System32; eve's AppData\Local itself is a link.
                string malloryFolder = dir.Path(Path.Combine("Users", "mallory", "AppData", "Local", "AutomateAudit"));
                Directory.CreateDirectory(malloryFolder);
                Directory.CreateSymbolicLink(Path.Combine(malloryFolder, "evil"), system32);
                File.CreateSymbolicLink(Path.Combine(malloryFolder, "evil.dll"), precious);
                Directory.CreateDirectory(dir.Path(Path.Combine("Users", "eve", "AppData")));
                Directory.CreateSymbolicLink(dir.Path(Path.Combine("Users", "eve", "AppData", "Local")), dir.Path("Windows"));
                Directory.CreateDirectory(dir.Path(Path.Combine("Windows", "AutomateAudit")));
                // "All Users"-style junction at the profile level
                Directory.CreateSymbolicLink(dir.Path(Path.Combine("Users", "All Users")), dir.Path("Windows"));

                var setup = new WindowsIdleSamplerSetup(paths, new FakeHost());
                Assert.Equal(new[] { malloryFolder }, setup.UserFolders());
                var result = setup.Remove();

                Assert.Empty(result.Warnings);
                Assert.False(Directory.Exists(malloryFolder));
                Assert.Equal("keep", File.ReadAllText(precious));
                Assert.True(Directory.Exists(dir.Path(Path.Combine("Windows", "AutomateAudit"))));
            }
        }

        [Fact]
        public void Apply_refuses_to_write_through_a_linked_folder()
        {
            if (OperatingSystem.IsWindows()) return;
            var (dir, paths) = Machine();
            using (dir)
            {
                string target = dir.Path("elsewhere");
                Directory.CreateDirectory(target);
                Directory.CreateDirectory(dir.Path("ProgramData"));
                Directory.CreateSymbolicLink(Path.GetDirectoryName(paths.ExcludeFile), target);
                var host = new FakeHost();
                Assert.Throws<IOException>(() => new WindowsIdleSamplerSetup(paths, host).Apply(new[] { "kiosk" }));
                Assert.Empty(Directory.GetFiles(target));
                Assert.Empty(host.Calls);
            }
        }
    }
}
