using System;
using AutomateAudit.Endpoint.Idle.Windows;

namespace AutomateAudit.Endpoint.Tests.IdleWindows
{
    public class IdleTicksTests
    {
        private const ulong Day = 86400UL * 1000;

        [Fact]
        public void Plain_difference_in_milliseconds()
        {
            Assert.Equal(TimeSpan.FromMilliseconds(7281), IdleTicks.Idle(3_600_000, 3_600_000 - 7281));
            Assert.Equal(TimeSpan.Zero, IdleTicks.Idle(3_600_000, 3_600_000));
        }

        [Fact]
        public void Across_the_32_bit_wrap_at_49_7_days()
        {
            // dwTime was taken 2 s before GetTickCount wrapped; now is 3 s past the wrap (uptime 2^32 + 3000 ms).
            ulong now = 0x1_0000_0000UL + 3000;
            uint last = 0xFFFFFFFF - 1999; // 2000 ms before the wrap
            Assert.Equal(TimeSpan.FromMilliseconds(5000), IdleTicks.Idle(now, last));
        }

        [Fact]
        public void Right_at_the_wrap_boundaries()
        {
            Assert.Equal(TimeSpan.FromMilliseconds(1), IdleTicks.Idle(0x1_0000_0000UL, 0xFFFFFFFF));
            Assert.Equal(TimeSpan.FromMilliseconds(2), IdleTicks.Idle(0x1_0000_0001UL, 0xFFFFFFFF));
        }

        [Fact]
        public void Past_24_9_days_where_signed_arithmetic_goes_negative()
        {
            // Uptime 30 days; last input 10 minutes ago. Both counts are above int.MaxValue (24.9 days).
            ulong now = 30 * Day;
            uint last = (uint)(now - 600_000);
            Assert.True(last > int.MaxValue);
            Assert.Equal(TimeSpan.FromMinutes(10), IdleTicks.Idle(now, last));
        }

        [Fact]
        public void Long_idle_across_a_wrap_after_many_days_of_uptime()
        {
            // Uptime 120 days (two wraps); last input 3 days ago, before the second wrap.
            ulong now = 120 * Day;
            uint last = unchecked((uint)(now - 3 * Day));
            Assert.Equal(TimeSpan.FromDays(3), IdleTicks.Idle(now, last));
        }

        [Fact]
        public void Input_racing_the_two_calls_reads_as_zero_not_49_days()
        {
            Assert.Equal(TimeSpan.Zero, IdleTicks.Idle(10_000, 10_016));
            Assert.Equal(TimeSpan.Zero, IdleTicks.Idle(0x1_0000_0000UL + 5, 20)); // just past the wrap, 15 ms ahead
        }

        [Fact]
        public void Never_more_than_the_uptime()
        {
            // Shortly after boot, a dwTime from before the boot is nonsense: idle is at most the uptime.
            Assert.Equal(TimeSpan.FromMilliseconds(5_000_000), IdleTicks.Idle(5_000_000, 4_000_000_000));
        }
    }
}
