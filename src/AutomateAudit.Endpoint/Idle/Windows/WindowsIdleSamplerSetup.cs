using System;
using System.Collections.Generic;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Linq;

namespace AutomateAudit.Endpoint.Idle.Windows
{
    /// <summary>Where the sampler's pieces live. Every path is passed in, so tests point them at temporary folders.</summary>
    internal sealed class IdleSamplerPaths
    {
        public const string ExeName = "AutomateAudit.IdleSampler.exe";
        public const string ProcessName = "AutomateAudit.IdleSampler";
        /// <summary>The per-user folder under %LOCALAPPDATA% (idle.log, idle.now).</summary>
        public const string UserFolderName = "AutomateAudit";

        /// <summary>The sampler as shipped in the module's folder (its .exe.config beside it is copied too when present).</summary>
        public string SourceExe { get; set; }
        /// <summary>%ProgramFiles%\AutomateAudit\IdleSampler: only administrators can write there, so users cannot replace the exe.</summary>
        public string ProgramFolder { get; set; }
        /// <summary>%ProgramData%\AutomateAudit\idle-exclude.txt.</summary>
        public string ExcludeFile { get; set; }
        /// <summary>The folder holding the profiles (C:\Users): Unregister removes &lt;profile&gt;\AppData\Local\AutomateAudit in each.</summary>
        public string ProfileRoot { get; set; }
        public string TaskName { get; set; } = IdleSamplerTask.TaskName;

        public string InstalledExe => Path.Combine(ProgramFolder, ExeName);

        /// <summary>The per-user folder the sampler writes: %LOCALAPPDATA%\AutomateAudit.</summary>
        public static string UserFolder(string localAppData) => Path.Combine(localAppData, UserFolderName);

        /// <summary>The machine's paths (Windows), with the sampler taken from <paramref name="sourceExe"/> and profiles under <paramref name="profileRoot"/> (null: the parent of %PUBLIC%, else %SystemDrive%\Users).</summary>
        public static IdleSamplerPaths ForThisMachine(string sourceExe, string profileRoot = null)
        {
            string programFiles = Environment.GetFolderPath(Environment.SpecialFolder.ProgramFiles);
            string programData = Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData);
            return new IdleSamplerPaths
            {
                SourceExe = sourceExe,
                ProgramFolder = Path.Combine(programFiles, "AutomateAudit", "IdleSampler"),
                ExcludeFile = Path.Combine(programData, "AutomateAudit", IdleExcludeList.FileName),
                ProfileRoot = profileRoot ?? DefaultProfileRoot(),
            };
        }

        public static string DefaultProfileRoot()
        {
            string pub = Environment.GetEnvironmentVariable("PUBLIC");
            if (!string.IsNullOrEmpty(pub)) return Path.GetDirectoryName(pub.TrimEnd('\\'));
            return (Environment.GetEnvironmentVariable("SystemDrive") ?? "C:") + "\\Users";
        }
    }

    /// <summary>The Windows actions of registration, behind an interface so that Apply and Remove are tested with a fake.</summary>
    internal interface IIdleSamplerHost
    {
        void RegisterTask(string name, string xml);
        /// <summary>False when there was no such task.</summary>
        bool DeleteTask(string name);
        IReadOnlyList<SessionCandidate> Sessions();
        /// <summary>Starts the exe in a session as its user; returns the process id.</summary>
        int StartInSession(int sessionId, string exePath, string arguments);
        /// <summary>Ends every running sampler; returns how many.</summary>
        int StopSamplers(string processName);
    }

    /// <summary>The real host: Task Scheduler COM, WTS + CreateProcessAsUser, and Process.Kill. Thin; Windows, as SYSTEM.</summary>
    internal sealed class WindowsIdleSamplerHost : IIdleSamplerHost
    {
        public void RegisterTask(string name, string xml) => TaskSchedulerCom.Register(name, xml);
        public bool DeleteTask(string name) => TaskSchedulerCom.Delete(name);
        public IReadOnlyList<SessionCandidate> Sessions() => WindowsSessionLauncher.Sessions();
        public int StartInSession(int sessionId, string exePath, string arguments) => WindowsSessionLauncher.Start(sessionId, exePath, arguments);

        public int StopSamplers(string processName)
        {
            int stopped = 0;
            foreach (Process process in Process.GetProcessesByName(processName))
            {
                using (process)
                {
                    try
                    {
                        process.Kill();
                        process.WaitForExit(5000);
                        stopped++;
                    }
                    catch (InvalidOperationException) { } // it exited meanwhile
                    catch (Win32Exception) { }
                }
            }
            return stopped;
        }
    }

    /// <summary>What Apply or Remove did: the steps done, and what went wrong without stopping the rest.</summary>
    internal sealed class IdleSamplerSetupResult
    {
        public List<string> Done { get; } = new List<string>();
        public List<string> Warnings { get; } = new List<string>();
        public List<int> StartedSessions { get; } = new List<int>();
    }

    /// <summary>
    /// Register-IdleSampler and Unregister-IdleSampler on Windows (run as SYSTEM): <see cref="Plan"/> and
    /// <see cref="PlanRemoval"/> say what would be done (-WhatIf), <see cref="Apply"/> and <see cref="Remove"/> do it.
    /// </summary>
    internal sealed class WindowsIdleSamplerSetup
    {
        private readonly IdleSamplerPaths _paths;
        private readonly IIdleSamplerHost _host;

        public WindowsIdleSamplerSetup(IdleSamplerPaths paths, IIdleSamplerHost host)
        {
            _paths = paths ?? throw new ArgumentNullException(nameof(paths));
            _host = host ?? throw new ArgumentNullException(nameof(host));
        }

        /// <summary>The registration steps as text. Validates the users and the threshold (ArgumentException) like Apply.</summary>
        public IReadOnlyList<string> Plan(IEnumerable<string> excludeUsers, TimeSpan? threshold = null)
        {
            List<string> exclude = IdleExcludeList.Validate(excludeUsers);
            string arguments = IdleSamplerOptions.Format(threshold);
            var steps = new List<string>
            {
                $"Copy {_paths.SourceExe} to {_paths.ProgramFolder}",
                exclude.Count == 0
                    ? $"Exclude nobody: delete {_paths.ExcludeFile} if it exists"
                    : $"Write {_paths.ExcludeFile} excluding {string.Join(", ", exclude)}",
                $"Register the scheduled task '{_paths.TaskName}': at every user's logon run {IdleSamplerSessions.CommandLine(_paths.InstalledExe, arguments)} as that user (group {IdleSamplerTask.UsersGroupSid}, least privilege, hidden, no time limit)",
                "Start the sampler in every Active or Disconnected user session already logged on" + (exclude.Count == 0 ? "" : ", except the excluded users'"),
            };
            return steps;
        }

        /// <summary>Registers the sampler. Validates everything before changing anything; a session it cannot start in is a warning.</summary>
        public IdleSamplerSetupResult Apply(IEnumerable<string> excludeUsers, TimeSpan? threshold = null)
        {
            List<string> exclude = IdleExcludeList.Validate(excludeUsers);
            string arguments = IdleSamplerOptions.Format(threshold);
            if (string.IsNullOrEmpty(_paths.SourceExe) || !File.Exists(_paths.SourceExe))
                throw new FileNotFoundException("The idle sampler is not in the module's folder.", _paths.SourceExe);
            var result = new IdleSamplerSetupResult();

            CopyExe(result);
            RefuseReparsePoint(Path.GetDirectoryName(Path.GetFullPath(_paths.ExcludeFile)));
            RefuseReparsePoint(_paths.ExcludeFile);
            IdleExcludeList.Write(_paths.ExcludeFile, exclude);
            result.Done.Add(exclude.Count == 0 ? $"No user excluded ({_paths.ExcludeFile} absent)" : $"Wrote {_paths.ExcludeFile}");

            _host.RegisterTask(_paths.TaskName, IdleSamplerTask.BuildXml(_paths.InstalledExe, arguments));
            result.Done.Add($"Registered the scheduled task '{_paths.TaskName}'");

            IReadOnlyList<SessionCandidate> sessions;
            try { sessions = _host.Sessions(); }
            catch (Win32Exception e)
            {
                result.Warnings.Add("Could not list the sessions, so no sampler was started now (they start at the next logon): " + e.Message);
                return result;
            }
            foreach (int id in IdleSamplerSessions.ToStart(sessions, exclude))
            {
                try
                {
                    int pid = _host.StartInSession(id, _paths.InstalledExe, arguments);
                    result.StartedSessions.Add(id);
                    result.Done.Add($"Started the sampler in session {id} (process {pid})");
                }
                catch (Win32Exception e)
                {
                    result.Warnings.Add($"Session {id}: could not start the sampler ({e.Message}); it starts at the user's next logon.");
                }
            }
            return result;
        }

        /// <summary>The removal steps as text.</summary>
        public IReadOnlyList<string> PlanRemoval()
        {
            return new List<string>
            {
                $"Delete the scheduled task '{_paths.TaskName}'",
                $"Stop every running {IdleSamplerPaths.ExeName}",
                $"Delete {_paths.ProgramFolder}",
                $"Delete {_paths.ExcludeFile}",
                $"Delete AppData\\Local\\{IdleSamplerPaths.UserFolderName} in every profile under {_paths.ProfileRoot} (the idle history)",
            };
        }

        /// <summary>Removes every trace. Goes on after a failed step and reports it as a warning.</summary>
        public IdleSamplerSetupResult Remove()
        {
            var result = new IdleSamplerSetupResult();
            Step(result, () => _host.DeleteTask(_paths.TaskName)
                ? $"Deleted the scheduled task '{_paths.TaskName}'"
                : $"No scheduled task '{_paths.TaskName}'");
            Step(result, () => $"Stopped {_host.StopSamplers(IdleSamplerPaths.ProcessName)} running sampler(s)");
            Step(result, () => SafeDelete.Directory(_paths.ProgramFolder) ? $"Deleted {_paths.ProgramFolder}" : null);
            Step(result, () =>
            {
                string parent = Path.GetDirectoryName(Path.GetFullPath(_paths.ProgramFolder));
                return DeleteIfEmpty(parent) ? $"Deleted {parent}" : null;
            });
            Step(result, () =>
            {
                bool deleted = SafeDelete.File(_paths.ExcludeFile);
                SafeDelete.File(_paths.ExcludeFile + ".tmp");
                DeleteIfEmpty(Path.GetDirectoryName(Path.GetFullPath(_paths.ExcludeFile)));
                return deleted ? $"Deleted {_paths.ExcludeFile}" : null;
            });
            foreach (string folder in UserFolders())
                Step(result, () => SafeDelete.Directory(folder) ? $"Deleted {folder}" : null);
            return result;
        }

        /// <summary>
        /// &lt;profile&gt;\AppData\Local\AutomateAudit for every folder under the profile root, skipping any path through a
        /// junction or symbolic link (the "All Users" and "Default User" junctions; anything a user planted in a profile
        /// they own, which SYSTEM must not follow).
        /// </summary>
        public List<string> UserFolders()
        {
            var folders = new List<string>();
            if (string.IsNullOrEmpty(_paths.ProfileRoot) || !Directory.Exists(_paths.ProfileRoot)) return folders;
            foreach (string profile in Directory.GetDirectories(_paths.ProfileRoot))
            {
                string appData = Path.Combine(profile, "AppData"), local = Path.Combine(appData, "Local");
                string target = Path.Combine(local, IdleSamplerPaths.UserFolderName);
                if (SafeDelete.IsLink(profile) || SafeDelete.IsLink(appData) || SafeDelete.IsLink(local)) continue;
                if (Directory.Exists(target) || SafeDelete.IsLink(target)) folders.Add(target);
            }
            return folders;
        }

        private void CopyExe(IdleSamplerSetupResult result)
        {
            Directory.CreateDirectory(_paths.ProgramFolder);
            RefuseReparsePoint(_paths.ProgramFolder);
            foreach (string old in Directory.GetFiles(_paths.ProgramFolder, "*.old-*"))
            {
                try { File.Delete(old); } catch (IOException) { } catch (UnauthorizedAccessException) { }
            }
            var copies = new List<(string From, string To)> { (_paths.SourceExe, _paths.InstalledExe) };
            string config = _paths.SourceExe + ".config";
            if (File.Exists(config)) copies.Add((config, _paths.InstalledExe + ".config"));
            foreach (var (from, to) in copies)
            {
                if (File.Exists(to) && SameBytes(from, to)) continue;
                string staged = to + ".new";
                File.Copy(from, staged, true);
                if (File.Exists(to))
                {
                    // A running exe cannot be overwritten but can be renamed: move it aside, delete it next time.
                    string aside = to + ".old-" + DateTime.UtcNow.Ticks.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    File.Move(to, aside);
                    try { File.Delete(aside); } catch (IOException) { } catch (UnauthorizedAccessException) { }
                }
                File.Move(staged, to);
                result.Done.Add($"Copied {Path.GetFileName(to)} to {_paths.ProgramFolder}");
            }
        }

        private static bool SameBytes(string a, string b)
        {
            var fa = new FileInfo(a);
            var fb = new FileInfo(b);
            if (fa.Length != fb.Length) return false;
            return File.ReadAllBytes(a).SequenceEqual(File.ReadAllBytes(b));
        }

        private static bool DeleteIfEmpty(string folder)
        {
            if (!Directory.Exists(folder) || SafeDelete.IsLink(folder) || Directory.EnumerateFileSystemEntries(folder).Any()) return false;
            Directory.Delete(folder, false);
            return true;
        }

        private static void RefuseReparsePoint(string path)
        {
            if (SafeDelete.IsLink(path))
                throw new IOException($"{path} is a junction or symbolic link; refusing to write through it as SYSTEM. Delete it and register again.");
        }

        private static void Step(IdleSamplerSetupResult result, Func<string> step)
        {
            try
            {
                string done = step();
                if (done != null) result.Done.Add(done);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is Win32Exception
                                      || e is System.Runtime.InteropServices.COMException || e is InvalidOperationException)
            {
                result.Warnings.Add(e.Message);
            }
        }
    }

    /// <summary>Deletes without following junctions or symbolic links: a link is removed, never what it points to.</summary>
    internal static class SafeDelete
    {
        /// <summary>Whether the path itself (not what it points to) is a junction or symbolic link; false when it does not exist.</summary>
        public static bool IsLink(string path)
        {
            try
            {
                // FileSystemInfo.Attributes reads the entry itself, and is -1 when nothing is there.
                int attributes = (int)new FileInfo(path).Attributes;
                return attributes != -1 && (attributes & (int)FileAttributes.ReparsePoint) != 0;
            }
            catch (IOException) { return false; }
            catch (UnauthorizedAccessException) { return false; }
            catch (ArgumentException) { return false; }
        }

        /// <summary>Deletes a folder and its content; a link inside it is deleted as a link. False when it did not exist.</summary>
        public static bool Directory(string path)
        {
            if (IsLink(path)) { DeleteLink(path); return true; }
            if (!System.IO.Directory.Exists(path)) return false;
            foreach (string entry in System.IO.Directory.GetFileSystemEntries(path))
            {
                if (IsLink(entry)) DeleteLink(entry);
                else if (System.IO.Directory.Exists(entry)) Directory(entry);
                else
                {
                    System.IO.File.SetAttributes(entry, FileAttributes.Normal);
                    System.IO.File.Delete(entry);
                }
            }
            System.IO.Directory.Delete(path, false);
            return true;
        }

        public static bool File(string path)
        {
            if (IsLink(path)) { DeleteLink(path); return true; }
            if (!System.IO.File.Exists(path)) return false;
            System.IO.File.SetAttributes(path, FileAttributes.Normal);
            System.IO.File.Delete(path);
            return true;
        }

        private static void DeleteLink(string path)
        {
            var attributes = new FileInfo(path).Attributes;
            // Windows: a directory junction or directory symbolic link is removed as an (empty) directory, which
            // removes the link only; a file symbolic link is deleted as a file. Elsewhere a link is always unlinked
            // as a file.
            if ((attributes & FileAttributes.Directory) != 0 && Path.DirectorySeparatorChar == '\\') System.IO.Directory.Delete(path, false);
            else System.IO.File.Delete(path);
        }
    }
}
