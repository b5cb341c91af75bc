using System;
using System.Runtime.InteropServices;
using System.Text;

namespace AutomateAudit.Endpoint.Tests.IdleLinux
{
    /// <summary>
    /// A real pseudo-terminal pair from /dev/ptmx (posix_openpt, grantpt, unlockpt, ptsname_r), with the slave open.
    /// Type() writes a line into the master, as a keyboard would, and reads it from the slave, as a shell would: the
    /// kernel then moves the slave's access time (tty_update_time, which only moves it when the time changes in
    /// more than its lowest three bits, i.e. about every 8 seconds).
    /// </summary>
    internal sealed class Pty : IDisposable
    {
        private const int O_RDWR = 2, O_NOCTTY = 0x100;
        private int _master = -1, _slave = -1;

        [DllImport("libc", SetLastError = true)] private static extern int posix_openpt(int flags);
        [DllImport("libc", SetLastError = true)] private static extern int grantpt(int fd);
        [DllImport("libc", SetLastError = true)] private static extern int unlockpt(int fd);
        [DllImport("libc", SetLastError = true)] private static extern int ptsname_r(int fd, byte[] buf, UIntPtr buflen);
        [DllImport("libc", SetLastError = true)] private static extern int open([MarshalAs(UnmanagedType.LPStr)] string path, int flags);
        [DllImport("libc", SetLastError = true)] private static extern int close(int fd);
        [DllImport("libc", SetLastError = true)] private static extern IntPtr read(int fd, byte[] buf, UIntPtr count);
        [DllImport("libc", SetLastError = true)] private static extern IntPtr write(int fd, byte[] buf, UIntPtr count);

        public Pty()
        {
            _master = posix_openpt(O_RDWR | O_NOCTTY);
            if (_master < 0) throw new InvalidOperationException("posix_openpt failed: errno " + Marshal.GetLastWin32Error());
            if (grantpt(_master) != 0) throw new InvalidOperationException("grantpt failed: errno " + Marshal.GetLastWin32Error());
            if (unlockpt(_master) != 0) throw new InvalidOperationException("unlockpt failed: errno " + Marshal.GetLastWin32Error());
            var name = new byte[128];
            if (ptsname_r(_master, name, (UIntPtr)name.Length) != 0) throw new InvalidOperationException("ptsname_r failed: errno " + Marshal.GetLastWin32Error());
            Path = Encoding.ASCII.GetString(name, 0, Array.IndexOf(name, (byte)0));
            _slave = open(Path, O_RDWR | O_NOCTTY);
            if (_slave < 0) throw new InvalidOperationException("open " + Path + " failed: errno " + Marshal.GetLastWin32Error());
        }

        /// <summary>/dev/pts/N.</summary>
        public string Path { get; }

        /// <summary>The utmp ut_line: pts/N.</summary>
        public string Line => Path.Substring("/dev/".Length);

        /// <summary>A keystroke and Enter, delivered through the line discipline and read by the "shell" on the slave.</summary>
        public void Type()
        {
            byte[] line = { (byte)'x', (byte)'\n' };
            if ((long)write(_master, line, (UIntPtr)line.Length) != line.Length) throw new InvalidOperationException("write to the master failed: errno " + Marshal.GetLastWin32Error());
            var buf = new byte[64];
            if ((long)read(_slave, buf, (UIntPtr)buf.Length) <= 0) throw new InvalidOperationException("read from the slave failed: errno " + Marshal.GetLastWin32Error());
            // The echo ("x\r\n") waits in the master's buffer; a few bytes per keystroke never fill it in a test.
        }

        public void Dispose()
        {
            if (_slave >= 0) { close(_slave); _slave = -1; }
            if (_master >= 0) { close(_master); _master = -1; }
        }
    }
}
