using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace AutomateAudit.Endpoint.Platform.Linux
{
    /// <summary>ut_type values (glibc bits/utmp.h).</summary>
    internal enum UtmpType : short
    {
        Empty = 0,
        RunLevel = 1,
        BootTime = 2,
        NewTime = 3,
        OldTime = 4,
        InitProcess = 5,
        LoginProcess = 6,
        UserProcess = 7,
        DeadProcess = 8,
        Accounting = 9,
    }

    /// <summary>
    /// The two layouts glibc gives <c>struct utmp</c> on Linux, which is also what /run/utmp and /var/log/wtmp hold.
    /// Checked against glibc's bits/utmp.h (2025 text, as shipped in ziglang/zig lib/libc/include/generic-glibc/bits/utmp.h)
    /// and bits/wordsize.h per architecture:
    /// <list type="bullet">
    /// <item><see cref="Compat32"/> (384 bytes) where <c>__WORDSIZE_TIME64_COMPAT32</c> is 1 (x86_64, sparc64) and on every
    /// 32-bit architecture (long is 32 bits there): int32 ut_session, then ut_tv as { uint32 tv_sec; int32 tv_usec }.
    /// Current glibc declares that tv_sec __uint32_t (older headers: int32_t); it is read as unsigned, which only
    /// matters after 2038, and carries it to 2106.</item>
    /// <item><see cref="Lp64"/> (400 bytes) where it is 0 on a 64-bit architecture — aarch64 among them
    /// (sysdeps/aarch64 bits/wordsize.h: <c>#define __WORDSIZE_TIME64_COMPAT32 0</c>): long ut_session and a native
    /// struct timeval { int64 tv_sec; int64 tv_usec }, so the record grows to 396 bytes, padded to 400.</item>
    /// </list>
    /// Byte offsets (both): ut_type int16 @0, 2 bytes padding, ut_pid int32 @4, ut_line[32] @8, ut_id[4] @40,
    /// ut_user[32] @44, ut_host[256] @76, ut_exit {int16 e_termination @332, int16 e_exit @334}. Then
    /// Compat32: ut_session @336, tv_sec @340, tv_usec @344, ut_addr_v6[4] @348, reserved[20] @364, end 384;
    /// Lp64: ut_session @336 (8), tv_sec @344 (8), tv_usec @352 (8), ut_addr_v6[4] @360, reserved[20] @376, end 400.
    /// Integers are in the host's byte order; ut_addr_v6 holds the address bytes in network order.
    /// </summary>
    internal enum UtmpLayout
    {
        Compat32 = 384,
        Lp64 = 400,
    }

    /// <summary>One utmp/wtmp record, as plain values.</summary>
    internal sealed class UtmpRecord
    {
        public UtmpType Type { get; set; }
        public int Pid { get; set; }
        /// <summary>ut_line: the terminal without "/dev/" (pts/0, tty1), an X display (:0), or "~" for boot/shutdown records.</summary>
        public string Line { get; set; } = "";
        public string Id { get; set; } = "";
        public string User { get; set; } = "";
        public string Host { get; set; } = "";
        public short ExitTermination { get; set; }
        public short ExitStatus { get; set; }
        public long Session { get; set; }
        /// <summary>ut_tv.tv_sec: seconds since the Unix epoch (UTC).</summary>
        public long Seconds { get; set; }
        public long Microseconds { get; set; }
        /// <summary>ut_addr_v6 as its 16 raw bytes (network order); IPv4 in the first four, the rest zero.</summary>
        public byte[] AddressBytes { get; set; } = new byte[16];

        private static readonly DateTime Epoch = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Utc);

        /// <summary>ut_tv as a UTC DateTime (Kind Utc), microsecond exact; null when ut_tv is zero.</summary>
        public DateTime? TimeUtc
        {
            get
            {
                if (Seconds == 0 && Microseconds == 0) return null;
                try { return Epoch.AddTicks(checked(Seconds * TimeSpan.TicksPerSecond + Microseconds * 10)); }
                catch (OverflowException) { return null; }
                catch (ArgumentOutOfRangeException) { return null; }
            }
        }

        /// <summary>Sets ut_tv from a UTC instant (sub-microsecond ticks are dropped, as the field cannot hold them).</summary>
        public void SetTimeUtc(DateTime utc)
        {
            if (utc.Kind == DateTimeKind.Local) utc = utc.ToUniversalTime();
            long ticks = utc.Ticks - Epoch.Ticks;
            long seconds = ticks / TimeSpan.TicksPerSecond;
            long rest = ticks % TimeSpan.TicksPerSecond;
            if (rest < 0) { seconds--; rest += TimeSpan.TicksPerSecond; }
            Seconds = seconds;
            Microseconds = rest / 10;
        }

        /// <summary>ut_addr_v6 as an address: IPv4 when only the first word is set (IPv4-mapped IPv6 also becomes IPv4); null when all zero.</summary>
        public IPAddress Address
        {
            get
            {
                byte[] b = AddressBytes;
                if (b == null || b.Length != 16) return null;
                bool any = false, tailZero = true;
                for (int i = 0; i < 16; i++)
                {
                    if (b[i] != 0) { any = true; if (i >= 4) tailZero = false; }
                }
                if (!any) return null;
                if (tailZero) return new IPAddress(new[] { b[0], b[1], b[2], b[3] });
                var v6 = new IPAddress(b);
                return v6.IsIPv4MappedToIPv6 ? v6.MapToIPv4() : v6;
            }
            set
            {
                var bytes = new byte[16];
                if (value != null)
                {
                    byte[] a = value.GetAddressBytes();
                    if (value.AddressFamily == AddressFamily.InterNetwork) Array.Copy(a, 0, bytes, 0, 4);
                    else Array.Copy(a, 0, bytes, 0, 16);
                }
                AddressBytes = bytes;
            }
        }

        public override string ToString() =>
            $"{Type} pid={Pid} line={Line} user={User} host={Host} time={TimeUtc:o}";
    }

    /// <summary>Reads and writes utmp/wtmp records byte by byte: no marshalling, no native code.</summary>
    internal static class UtmpFormat
    {
        public const int LineSize = 32;
        public const int IdSize = 4;
        public const int NameSize = 32;
        public const int HostSize = 256;

        private const int OffType = 0, OffPid = 4, OffLine = 8, OffId = 40, OffUser = 44, OffHost = 76, OffExit = 332, OffSession = 336;

        public static int RecordSize(UtmpLayout layout) => (int)layout;

        /// <summary>
        /// The layout glibc uses on the running architecture. From glibc's bits/wordsize.h per port:
        /// __WORDSIZE_TIME64_COMPAT32 is 1 on x86_64 and riscv64 (384 bytes) and 0 on aarch64 and s390x (400 bytes);
        /// 32-bit ports use 384 either way. Unverified here: loongarch64 (taken as 400, as a new port) and ppc64le
        /// (taken as 384).
        /// </summary>
        public static UtmpLayout HostLayout => LayoutFor(RuntimeInformation.OSArchitecture);

        internal static UtmpLayout LayoutFor(Architecture arch)
        {
            // Numeric values, because netstandard2.0's enum stops at Arm64:
            // 0 X86, 1 X64, 2 Arm, 3 Arm64, 4 Wasm, 5 S390x, 6 LoongArch64, 7 Armv6, 8 Ppc64le, 9 RiscV64.
            switch ((int)arch)
            {
                case 3:
                case 5:
                case 6:
                    return UtmpLayout.Lp64;
                default:
                    return UtmpLayout.Compat32;
            }
        }

        public static UtmpRecord Parse(byte[] buffer, int offset, UtmpLayout layout, bool littleEndian)
        {
            if (buffer == null) throw new ArgumentNullException(nameof(buffer));
            int size = RecordSize(layout);
            if (offset < 0 || offset + size > buffer.Length) throw new ArgumentOutOfRangeException(nameof(offset));

            var r = new UtmpRecord
            {
                Type = (UtmpType)ReadInt16(buffer, offset + OffType, littleEndian),
                Pid = ReadInt32(buffer, offset + OffPid, littleEndian),
                Line = ReadString(buffer, offset + OffLine, LineSize),
                Id = ReadString(buffer, offset + OffId, IdSize),
                User = ReadString(buffer, offset + OffUser, NameSize),
                Host = ReadString(buffer, offset + OffHost, HostSize),
                ExitTermination = ReadInt16(buffer, offset + OffExit, littleEndian),
                ExitStatus = ReadInt16(buffer, offset + OffExit + 2, littleEndian),
            };
            int offAddr;
            if (layout == UtmpLayout.Compat32)
            {
                r.Session = ReadInt32(buffer, offset + OffSession, littleEndian);
                r.Seconds = (uint)ReadInt32(buffer, offset + 340, littleEndian);
                r.Microseconds = ReadInt32(buffer, offset + 344, littleEndian);
                offAddr = 348;
            }
            else
            {
                r.Session = ReadInt64(buffer, offset + OffSession, littleEndian);
                r.Seconds = ReadInt64(buffer, offset + 344, littleEndian);
                r.Microseconds = ReadInt64(buffer, offset + 352, littleEndian);
                offAddr = 360;
            }
            var addr = new byte[16];
            Array.Copy(buffer, offset + offAddr, addr, 0, 16);
            r.AddressBytes = addr;
            return r;
        }

        public static UtmpRecord Parse(byte[] record, UtmpLayout layout) => Parse(record, 0, layout, BitConverter.IsLittleEndian);

        /// <summary>Lays a record out into buffer at offset; every byte of the record is written (reserved bytes and padding as zero).</summary>
        public static void Write(UtmpRecord r, byte[] buffer, int offset, UtmpLayout layout, bool littleEndian)
        {
            if (r == null) throw new ArgumentNullException(nameof(r));
            if (buffer == null) throw new ArgumentNullException(nameof(buffer));
            int size = RecordSize(layout);
            if (offset < 0 || offset + size > buffer.Length) throw new ArgumentOutOfRangeException(nameof(offset));
            Array.Clear(buffer, offset, size);

            WriteInt16(buffer, offset + OffType, (short)r.Type, littleEndian);
            WriteInt32(buffer, offset + OffPid, r.Pid, littleEndian);
            WriteString(buffer, offset + OffLine, LineSize, r.Line);
            WriteString(buffer, offset + OffId, IdSize, r.Id);
            WriteString(buffer, offset + OffUser, NameSize, r.User);
            WriteString(buffer, offset + OffHost, HostSize, r.Host);
            WriteInt16(buffer, offset + OffExit, r.ExitTermination, littleEndian);
            WriteInt16(buffer, offset + OffExit + 2, r.ExitStatus, littleEndian);
            int offAddr;
            if (layout == UtmpLayout.Compat32)
            {
                WriteInt32(buffer, offset + OffSession, unchecked((int)r.Session), littleEndian);
                WriteInt32(buffer, offset + 340, unchecked((int)(uint)r.Seconds), littleEndian);
                WriteInt32(buffer, offset + 344, unchecked((int)r.Microseconds), littleEndian);
                offAddr = 348;
            }
            else
            {
                WriteInt64(buffer, offset + OffSession, r.Session, littleEndian);
                WriteInt64(buffer, offset + 344, r.Seconds, littleEndian);
                WriteInt64(buffer, offset + 352, r.Microseconds, littleEndian);
                offAddr = 360;
            }
            byte[] a = r.AddressBytes ?? new byte[16];
            Array.Copy(a, 0, buffer, offset + offAddr, Math.Min(16, a.Length));
        }

        public static byte[] Serialize(IEnumerable<UtmpRecord> records, UtmpLayout layout, bool littleEndian)
        {
            var list = new List<UtmpRecord>(records);
            int size = RecordSize(layout);
            var bytes = new byte[list.Count * size];
            for (int i = 0; i < list.Count; i++) Write(list[i], bytes, i * size, layout, littleEndian);
            return bytes;
        }

        public static byte[] Serialize(IEnumerable<UtmpRecord> records, UtmpLayout layout) =>
            Serialize(records, layout, BitConverter.IsLittleEndian);

        public static void WriteFile(string path, IEnumerable<UtmpRecord> records, UtmpLayout layout) =>
            File.WriteAllBytes(path, Serialize(records, layout));

        /// <summary>
        /// Streams the records of a utmp/wtmp file in file order. A trailing partial record (a writer caught mid-write)
        /// is ignored. The file is opened for shared reading so writers are never blocked.
        /// </summary>
        public static IEnumerable<UtmpRecord> ReadFile(string path, UtmpLayout layout)
        {
            int size = RecordSize(layout);
            bool le = BitConverter.IsLittleEndian;
            using (var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024))
            {
                var buffer = new byte[size * 256];
                int filled = 0;
                while (true)
                {
                    int n = fs.Read(buffer, filled, buffer.Length - filled);
                    if (n <= 0) break;
                    filled += n;
                    int whole = filled / size;
                    for (int i = 0; i < whole; i++) yield return Parse(buffer, i * size, layout, le);
                    int rest = filled - whole * size;
                    if (rest > 0) Buffer.BlockCopy(buffer, whole * size, buffer, 0, rest);
                    filled = rest;
                }
            }
        }

        private static string ReadString(byte[] b, int offset, int max)
        {
            int len = 0;
            while (len < max && b[offset + len] != 0) len++;
            return len == 0 ? "" : Encoding.UTF8.GetString(b, offset, len);
        }

        private static void WriteString(byte[] b, int offset, int max, string value)
        {
            if (string.IsNullOrEmpty(value)) return;
            byte[] s = Encoding.UTF8.GetBytes(value);
            // Like strncpy into a char[N]: a value of exactly N bytes has no terminating NUL; longer is cut.
            Array.Copy(s, 0, b, offset, Math.Min(max, s.Length));
        }

        private static short ReadInt16(byte[] b, int o, bool le) =>
            le ? (short)(b[o] | (b[o + 1] << 8)) : (short)((b[o] << 8) | b[o + 1]);

        private static int ReadInt32(byte[] b, int o, bool le) =>
            le ? b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)
               : (b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3];

        private static long ReadInt64(byte[] b, int o, bool le)
        {
            long lo = (uint)ReadInt32(b, le ? o : o + 4, le);
            long hi = ReadInt32(b, le ? o + 4 : o, le);
            return (hi << 32) | lo;
        }

        private static void WriteInt16(byte[] b, int o, short v, bool le)
        {
            if (le) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); }
            else { b[o] = (byte)(v >> 8); b[o + 1] = (byte)v; }
        }

        private static void WriteInt32(byte[] b, int o, int v, bool le)
        {
            if (le) { b[o] = (byte)v; b[o + 1] = (byte)(v >> 8); b[o + 2] = (byte)(v >> 16); b[o + 3] = (byte)(v >> 24); }
            else { b[o] = (byte)(v >> 24); b[o + 1] = (byte)(v >> 16); b[o + 2] = (byte)(v >> 8); b[o + 3] = (byte)v; }
        }

        private static void WriteInt64(byte[] b, int o, long v, bool le)
        {
            WriteInt32(b, le ? o : o + 4, unchecked((int)v), le);
            WriteInt32(b, le ? o + 4 : o, unchecked((int)(v >> 32)), le);
        }
    }
}
