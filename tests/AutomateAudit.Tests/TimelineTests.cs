using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Engine;

namespace AutomateAudit.Tests
{
    public class TimelineTests
    {
        private static readonly DateTime T0 = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        private static DateTime M(int minutes) => T0.AddMinutes(minutes);

        [Fact]
        public void StateHoldsBetweenChangesAndPeriodsTileTheWindow()
        {
            var periods = Timeline.Periods(M(0), M(100), PeriodState.Online,
                new[] { new StateChange(M(30), PeriodState.Offline), new StateChange(M(70), PeriodState.Online) }, null);
            Assert.Equal(new[] { (0, 30, PeriodState.Online), (30, 70, PeriodState.Offline), (70, 100, PeriodState.Online) },
                periods.Select(p => ((int)(p.Start - T0).TotalMinutes, (int)(p.End - T0).TotalMinutes, p.State)));
            Totals t = Timeline.Sum(periods, M(0), M(100));
            Assert.Equal(60 * 60, t.Online);
            Assert.Equal(40 * 60, t.Offline);
            Assert.Equal(100 * 60, t.Window);
        }

        [Fact]
        public void BeforeTheFirstChangeTheStateIsUnknown()
        {
            var periods = Timeline.Periods(M(0), M(60), PeriodState.Unknown, new[] { new StateChange(M(20), PeriodState.Online) }, null);
            Totals t = Timeline.Sum(periods, M(0), M(60));
            Assert.Equal(20 * 60, t.Unknown);
            Assert.Equal(40 * 60, t.Online);
        }

        [Fact]
        public void TimestampsRunningBackwardsNeverGiveNegativeDurations()
        {
            // DST fall-back: the second change carries an older timestamp than the first.
            var periods = Timeline.Periods(M(0), M(120), PeriodState.Online,
                new[] { new StateChange(M(90), PeriodState.Offline), new StateChange(M(40), PeriodState.Online) }, null);
            Assert.NotEmpty(periods);
            Assert.All(periods, p => Assert.True(p.End > p.Start));
            Totals t = Timeline.Sum(periods, M(0), M(120));
            Assert.Equal(120 * 60, t.Window);
            Assert.Equal(120 * 60, t.Online);
        }

        [Fact]
        public void UnobservedStretchesAreUnknownWhateverTheState()
        {
            var gaps = new List<Interval> { new Interval(M(10), M(20)), new Interval(M(50), M(200)) };
            var periods = Timeline.Periods(M(0), M(100), PeriodState.Offline, new[] { new StateChange(M(15), PeriodState.Online) }, gaps);
            Totals t = Timeline.Sum(periods, M(0), M(100));
            Assert.Equal(10 * 60, t.Offline);
            Assert.Equal(30 * 60, t.Online);
            Assert.Equal(60 * 60, t.Unknown);
            Assert.Equal(100 * 60, t.Window);
        }

        [Fact]
        public void ChangesAfterTheWindowAreIgnoredAndRemovalMeansUnknown()
        {
            var periods = Timeline.Periods(M(0), M(60), PeriodState.Online,
                new[] { new StateChange(M(30), PeriodState.Unknown), new StateChange(M(90), PeriodState.Online) }, null);
            Totals t = Timeline.Sum(periods, M(0), M(60));
            Assert.Equal(30 * 60, t.Online);
            Assert.Equal(30 * 60, t.Unknown);
        }

        [Theory]
        [InlineData(1440 * 60, 1000 * 60 + 30, 400 * 60 + 30, 1440)]
        [InlineData(1500 * 60, 1499 * 60 + 59, 1, 1500)]
        [InlineData(59 * 60 + 30, 20 * 60 + 10, 20 * 60 + 10, 60)]
        public void MinutesAddUpToTheWindowExactly(long window, long online, long offline, int expectedMinutes)
        {
            var totals = new Totals { Online = online, Offline = offline, Unknown = window - online - offline };
            var m = Minutes.Split(totals);
            Assert.Equal(expectedMinutes, m.Online + m.Offline + m.Unknown);
            Assert.InRange(m.Online * 60 - online, -60, 60);
            Assert.InRange(m.Offline * 60 - offline, -60, 60);
        }

        [Theory]
        [InlineData(638, "10hr 38min")]
        [InlineData(6398, "4day 10hr 38min")]
        [InlineData(0, "0hr 0min")]
        public void DurationsReadLikeTheProValDataview(int minutes, string expected)
        {
            Assert.Equal(expected, Minutes.Text(minutes));
        }

        [Fact]
        public void PercentIsOfObservedTimeAndNullWithoutAny()
        {
            Assert.Equal(75.0, Minutes.Percent(45, 60));
            Assert.Null(Minutes.Percent(0, 0));
        }
    }

    public class TimelineTextTests
    {
        private static readonly DateTime Day = new DateTime(2026, 11, 1, 4, 0, 0, DateTimeKind.Utc);

        [Fact]
        public void StoredTimelinesRoundTrip()
        {
            var periods = new List<Period>
            {
                new Period(Day, Day.AddHours(1), PeriodState.Unknown),
                new Period(Day.AddHours(1), Day.AddHours(10), PeriodState.Online),
                new Period(Day.AddHours(10), Day.AddHours(25), PeriodState.Offline),
            };
            string text = TimelineText.Encode(periods);
            Assert.Equal("U3600 O32400 F54000", text);
            Assert.Equal(periods, TimelineText.Decode(text, Day, Day.AddHours(25)));
        }

        [Theory]
        [InlineData("O3600 X86400")]
        [InlineData("O-5 F86405")]
        [InlineData("O3600")]
        [InlineData("")]
        public void DamagedTimelinesAreRejectedNotGuessedAt(string text)
        {
            Assert.Throws<FormatException>(() => TimelineText.Decode(text, Day, Day.AddDays(1)));
        }
    }

    public class CoverageTests
    {
        private static readonly DateTime T0 = new DateTime(2026, 11, 1, 0, 0, 0, DateTimeKind.Utc);
        private static DateTime M(int minutes) => T0.AddMinutes(minutes);

        [Fact]
        public void RunsCloseTogetherAreObservedAndLongPausesAreNot()
        {
            var runs = new[] { M(0), M(5), M(10), M(100), M(105) };
            var coverage = Coverage.Build(M(-60), M(200), M(107), runs, M(0), null);
            Assert.Equal(new[] { new Interval(M(-60), M(0)), new Interval(M(10), M(100)), new Interval(M(107), M(200)) }, coverage.Unobserved.Items);
        }

        [Fact]
        public void AdoptedHistoryCountsAsObservedUntilTheFirstRun()
        {
            var coverage = Coverage.Build(M(-600), M(20), M(20), new[] { M(0), M(5), M(10), M(15) }, M(0), M(-300));
            Assert.Equal(new[] { new Interval(M(-600), M(-300)) }, coverage.Unobserved.Items);
            Assert.Equal(M(-300), coverage.FirstObservedUtc);
        }

        [Fact]
        public void NothingAfterTheLastRunWhenRecordingStopped()
        {
            var coverage = Coverage.Build(M(0), M(120), M(120), new[] { M(0), M(5) }, M(0), null);
            Assert.Equal(new[] { new Interval(M(5), M(120)) }, coverage.Unobserved.Items);
        }
    }
}
