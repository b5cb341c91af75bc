using System;
using System.Text;

namespace AutomateAudit.Endpoint.Tests.Windows
{
    /// <summary>
    /// Builds byte buffers the way Windows lays them out in memory (little-endian, UTF-16LE WCHARs), at offsets
    /// written as literals in each test, so a wrong constant in WtsLayout cannot agree with the test by construction.
    /// Every byte not written is <see cref="Filler"/>, so padding or a neighbouring field read by mistake shows.
    /// </summary>
    internal sealed class WindowsBuffer
    {
        public const byte Filler = 0xCC;

        public byte[] Bytes { get; }

        public WindowsBuffer(int size)
        {
            Bytes = new byte[size];
            for (int i = 0; i < size; i++) Bytes[i] = Filler;
        }

        public WindowsBuffer Dword(int offset, uint value)
        {
            Bytes[offset] = (byte)value;
            Bytes[offset + 1] = (byte)(value >> 8);
            Bytes[offset + 2] = (byte)(value >> 16);
            Bytes[offset + 3] = (byte)(value >> 24);
            return this;
        }

        public WindowsBuffer Dword(int offset, int value) => Dword(offset, unchecked((uint)value));

        public WindowsBuffer Qword(int offset, long value)
        {
            for (int i = 0; i < 8; i++) Bytes[offset + i] = (byte)(value >> (8 * i));
            return this;
        }

        /// <summary>A WCHAR[capacity] field: the text, a NUL when it fits, then zeros to the end of the field.</summary>
        public WindowsBuffer Wchars(int offset, int capacity, string text)
        {
            if (text.Length > capacity) throw new ArgumentException("text longer than the field");
            byte[] chars = Encoding.Unicode.GetBytes(text);
            Array.Copy(chars, 0, Bytes, offset, chars.Length);
            for (int i = offset + chars.Length; i < offset + 2 * capacity; i++) Bytes[i] = 0;
            return this;
        }

        public static long FileTime(int year, int month, int day, int hour, int minute, int second, long extraTicks = 0) =>
            new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(extraTicks).ToFileTimeUtc();

        public static DateTime Utc(int year, int month, int day, int hour, int minute, int second, long extraTicks = 0) =>
            new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc).AddTicks(extraTicks);
    }
}
