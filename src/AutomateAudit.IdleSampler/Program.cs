using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using AutomateAudit.Endpoint.Idle;
using AutomateAudit.Endpoint.Idle.Windows;
using AutomateAudit.Endpoint.Platform.Windows;
using Microsoft.Win32;

namespace AutomateAudit.IdleSampler
{
    /// <summary>
    /// The idle sampler. Runs inside one user's session, as that user: every 5 s it reads the time since the session's
    /// last input and the lock state, appends the changes of state to %LOCALAPPDATA%\AutomateAudit\idle.log and
    /// overwrites %LOCALAPPDATA%\AutomateAudit\idle.now. This file only wires Windows calls; every decision is in
    /// IdleSamplerLoop, IdleTracker, IdleTicks, IdleExcludeList and IdleNow, unit-tested on any OS.
    /// </summary>
    /// <remarks>
    /// Footprint. The target is at most 10 MB working set and negligible CPU per session. NOT MEASURED: nothing here
    /// can run on the Linux machine this was written on; measure on Windows (Get-Process AutomateAudit.IdleSampler |
    /// Select WorkingSet64, PrivateMemorySize64, CPU) before promising the figures. How the design aims at them:
    /// - No runtime to install and none loaded twice: .NET Framework 4.7.2 is in every supported Windows (4.8 in-box
    ///   since Windows 10 1903), and the exe is a few tens of kilobytes.
    /// - No WinForms, WPF or console: a WinExe (no console host, no conhost.exe) that references only mscorlib, System
    ///   and System.Core. The one hidden window is the one Microsoft.Win32.SystemEvents creates on its own thread to
    ///   receive WM_ENDSESSION at logoff and shutdown (Main is MTA, so SystemEvents makes that thread itself).
    /// - No timers, no thread pool work, no async: the main thread waits 5 s on an event (WaitOne with a timeout,
    ///   as Thread.Sleep but wakeable at session end), then takes one sample. Two threads in all, plus the CLR's own
    ///   finalizer thread; gcConcurrent is off (App.config), so there is no background GC thread.
    /// - A sample is two cheap calls (GetLastInputInfo, GetTickCount64), one WTSQuerySessionInformation (an RPC to the
    ///   Local Session Manager) and one small file replace; a log line only when the state changes or every 5 minutes.
    ///   Estimate: well under a millisecond of CPU per 5 s, i.e. below 0.02 % of one core.
    /// - A small heap: a few short strings and one 232-byte buffer per sample, collected in gen 0.
    /// - 32-bit (Prefer32Bit): a smaller CLR and heap than the 64-bit one.
    /// - The working set is trimmed (SetProcessWorkingSetSize -1, -1) after the first sample and every 5 minutes.
    ///   The loop touches the same few pages every time, so between trims the working set stays at those pages plus
    ///   what the CLR keeps. Estimate: an untrimmed .NET Framework process of this size starts around 6-10 MB of working
    ///   set; after trimming, a few MB or less. Private bytes (what the process really costs) are estimated at 3-6 MB.
    /// </remarks>
    internal static class Program
    {
        public const string MutexName = "Local\\AutomateAudit.IdleSampler";
        private const int SamplesPerHousekeeping = 60; // 60 x 5 s = 5 minutes

        private static readonly object Gate = new object();
        private static readonly ManualResetEvent Wake = new ManualResetEvent(false);
        private static IdleSamplerLoop _loop;
        private static string _logPath, _nowPath;
        private static bool _stopped;

        private static int Main(string[] args)
        {
            IdleSamplerOptions options = IdleSamplerOptions.Parse(args, out _);
            if (options == null) return 2; // no console to print to: a wrong argument is an exit code

            // One sampler per session: Local\ names are per session.
            using (var mutex = new Mutex(false, MutexName))
            {
                bool owned;
                try { owned = mutex.WaitOne(0); }
                catch (AbandonedMutexException) { owned = true; } // the previous sampler died: take over
                if (!owned) return 0;
                try { return Run(options); }
                finally { mutex.ReleaseMutex(); }
            }
        }

        private static int Run(IdleSamplerOptions options)
        {
            int sessionId = CurrentSessionId();
            bool swapped = WtsLayout.LockFlagsSwapped(OsVersion());
            WtsSessionRecord session = QuerySession();
            string user = session?.UserName ?? Environment.UserName;
            string domain = session?.Domain ?? Environment.UserDomainName;
            string excludePath = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData),
                "AutomateAudit", IdleExcludeList.FileName);
            if (IdleExcludeList.IsExcluded(IdleExcludeList.Read(excludePath), domain, user)) return 0;

            string folder = IdleSamplerPathsForUser();
            Directory.CreateDirectory(folder);
            _logPath = Path.Combine(folder, "idle.log");
            _nowPath = Path.Combine(folder, IdleNow.FileName);
            _loop = new IdleSamplerLoop(sessionId, options.Threshold, swapped);

            // Logoff and shutdown: WM_ENDSESSION reaches SystemEvents' hidden window; the handler runs on its thread
            // before the window procedure returns, i.e. before Windows ends the process.
            SystemEvents.SessionEnded += (sender, e) => Stop();
            AppDomain.CurrentDomain.ProcessExit += (sender, e) => Stop();

            try
            {
                for (long n = 0; ; n++)
                {
                    Sample();
                    if (n % SamplesPerHousekeeping == 0)
                    {
                        // Excluded since it started: stop (the finally writes the stop line).
                        if (n > 0 && IdleExcludeList.IsExcluded(IdleExcludeList.Read(excludePath), domain, user)) return 0;
                        IdleNativeMethods.SetProcessWorkingSetSize(IdleNativeMethods.GetCurrentProcess(), new IntPtr(-1), new IntPtr(-1));
                    }
                    if (Wake.WaitOne(IdleLog.SampleInterval)) return 0; // Stop() was called
                }
            }
            finally
            {
                Stop(); // every way out of the loop, an unexpected exception included, ends the log with X
            }
        }

        private static void Sample()
        {
            var lii = new IdleNativeMethods.LASTINPUTINFO { cbSize = (uint)Marshal.SizeOf(typeof(IdleNativeMethods.LASTINPUTINFO)) };
            // GetLastInputInfo first, GetTickCount64 second: see IdleTicks.
            if (!IdleNativeMethods.GetLastInputInfo(ref lii)) return;
            ulong tick = IdleNativeMethods.GetTickCount64();
            int? flags = QuerySession()?.SessionFlags;
            DateTime now = DateTime.UtcNow;
            lock (Gate)
            {
                if (_stopped) return;
                IdleSamplerStep step = _loop.Step(now, tick, lii.dwTime, flags);
                try
                {
                    if (step.Rotate) IdleLog.Rotate(_logPath, now, IdleLog.DefaultRetention);
                    if (step.Line.HasValue) IdleLog.Append(_logPath, new[] { step.Line.Value });
                }
                catch (IOException) { } // disk full, file held: the next change or heartbeat writes again
                catch (UnauthorizedAccessException) { }
                IdleNow.Write(_nowPath, step.Now);
            }
        }

        /// <summary>Writes the stop line and removes idle.now (no session, no current idle time). Once; from any thread.</summary>
        private static void Stop()
        {
            lock (Gate)
            {
                if (_stopped || _loop == null) return;
                _stopped = true;
                try
                {
                    IdleLog.Append(_logPath, new[] { _loop.Stop(DateTime.UtcNow) });
                    File.Delete(_nowPath);
                }
                catch (IOException) { }
                catch (UnauthorizedAccessException) { }
            }
            Wake.Set();
        }

        private static string IdleSamplerPathsForUser() =>
            Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData), "AutomateAudit");

        private static int CurrentSessionId() =>
            IdleNativeMethods.ProcessIdToSessionId(IdleNativeMethods.GetCurrentProcessId(), out uint id) ? (int)id : 0;

        /// <summary>WTSINFOEXW of this session (lock flags, user, domain); null when WTS refuses.</summary>
        private static WtsSessionRecord QuerySession()
        {
            if (!IdleNativeMethods.WTSQuerySessionInformationW(IdleNativeMethods.WTS_CURRENT_SERVER_HANDLE,
                    IdleNativeMethods.WTS_CURRENT_SESSION, IdleNativeMethods.WTSSessionInfoEx, out IntPtr buffer, out int size))
                return null;
            try
            {
                if (buffer == IntPtr.Zero || size < WtsLayout.ExSize) return null;
                var bytes = new byte[size];
                Marshal.Copy(buffer, bytes, 0, size);
                return WtsLayout.ParseInfoEx(bytes);
            }
            catch (FormatException) { return null; }
            finally
            {
                if (buffer != IntPtr.Zero) IdleNativeMethods.WTSFreeMemory(buffer);
            }
        }

        private static Version OsVersion()
        {
            try
            {
                var info = new IdleNativeMethods.RTL_OSVERSIONINFOW
                {
                    dwOSVersionInfoSize = Marshal.SizeOf(typeof(IdleNativeMethods.RTL_OSVERSIONINFOW)),
                };
                if (IdleNativeMethods.RtlGetVersion(ref info) == 0)
                    return new Version(info.dwMajorVersion, info.dwMinorVersion, info.dwBuildNumber);
            }
            catch (EntryPointNotFoundException) { }
            return Environment.OSVersion.Version;
        }
    }
}
