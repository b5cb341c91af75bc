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

        /// <summary>
        /// The default report folds each computer's changes of today as they are read (RolledFigures) instead of keeping them:
        /// on random days (changes sharing an instant, read in any id order; unobserved stretches; any start state) the fold
        /// gives the seconds <see cref="Timeline.Account"/> gives over the same changes in (time, id) order.
        /// </summary>
        [Fact]
        public void TodaysFoldedChangesGiveTheSameSecondsAsAccountingTheKeptChanges()
        {
            var random = new Random(20261208);
            var states = new[] { PeriodState.Online, PeriodState.Offline, PeriodState.Unknown };
            DateTime from = M(0), to = M(20 * 60);
            int withChanges = 0, withGaps = 0, withSharedInstants = 0;
            for (int trial = 0; trial < 3000; trial++)
            {
                var changes = new List<(long Id, DateTime Utc, PeriodState State)>();
                int count = random.Next(0, 9);
                for (int i = 0; i < count; i++)
                {
                    // A few instants only, so that changes often share one.
                    DateTime at = count > 3 && i > 0 && random.Next(3) == 0 ? changes[random.Next(changes.Count)].Utc : from.AddSeconds(random.Next(0, 20 * 3600));
                    changes.Add((random.Next(1, 1000000), at, states[random.Next(3)]));
                }
                changes = changes.GroupBy(c => c.Id).Select(g => g.First()).ToList();
                var unobserved = new List<Interval>();
                for (DateTime cursor = from.AddSeconds(random.Next(0, 3 * 3600)); random.Next(3) > 0 && cursor < to; cursor = cursor.AddSeconds(random.Next(1, 4 * 3600)))
                {
                    DateTime end = cursor.AddSeconds(random.Next(1, 2 * 3600));
                    unobserved.Add(new Interval(cursor, end));
                    cursor = end;
                }
                PeriodState start = states[random.Next(3)];

                var kept = changes.OrderBy(c => c.Utc).ThenBy(c => c.Id).Select(c => new StateChange(c.Utc, c.State)).ToList();
                Totals expected = Timeline.Account(from, to, start, kept, unobserved);
                var figures = new RolledFigures();
                foreach (var c in changes.OrderBy(c => c.Utc).ThenBy(_ => random.Next())) figures.AddChange(c.Id, c.Utc, c.State, unobserved);
                Totals folded = figures.Today(from, to, start, unobserved);

                Assert.True((expected.Online, expected.Offline, expected.Unknown) == (folded.Online, folded.Offline, folded.Unknown),
                    "trial " + trial + ": expected " + (expected.Online, expected.Offline, expected.Unknown) + ", folded " + (folded.Online, folded.Offline, folded.Unknown));
                Assert.Equal((to - from).TotalSeconds, folded.Window);
                if (changes.Count > 0) withChanges++;
                if (unobserved.Count > 0) withGaps++;
                if (changes.Select(c => c.Utc).Distinct().Count() < changes.Count) withSharedInstants++;
            }
            // The random days did cover each case.
            Assert.True(withChanges > 2000 && withGaps > 1000 && withSharedInstants > 300, (withChanges, withGaps, withSharedInstants).ToString());
        }

        [Fact]
        public void TodaysChangesReadOutOfTimeOrderAreRefused()
        {
            var figures = new RolledFigures();
            figures.AddChange(1, M(30), PeriodState.Online, null);
            Assert.Throws<InvalidOperationException>(() => figures.AddChange(2, M(10), PeriodState.Offline, null));
        }

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
        [InlineData(10 * 60 + 30, 10 * 60 + 30, 39 * 60, 11, 10, 39)]   // equal remainders: the first state gets the minute
        [InlineData(5 * 60 + 10, 5 * 60 + 50, 49 * 60, 5, 6, 49)]        // the largest remainder gets it
        [InlineData(40, 40, 100, 1, 1, 1)]                               // two minutes missing: each remainder used once
        [InlineData(0, 0, 90 * 60, 0, 0, 90)]                            // nothing to round
        public void MissingMinutesGoToTheLargestRemainders(long online, long offline, long unknown, int expectedOnline, int expectedOffline, int expectedUnknown)
        {
            var m = Minutes.Split(new Totals { Online = online, Offline = offline, Unknown = unknown });
            Assert.Equal((expectedOnline, expectedOffline, expectedUnknown), m);
        }

        [Theory]
        [InlineData(638, "10hr 38min")]
        [InlineData(6398, "4day 10hr 38min")]
        [InlineData(0, "0hr 0min")]
        [InlineData(-5, "0hr 0min")]
        [InlineData(1440, "1day 0hr 0min")]
        [InlineData(525600 + 61, "365day 1hr 1min")]
        [InlineData(int.MaxValue, "1491308day 2hr 7min")]
        public void DurationsReadLikeTheProValDataview(int minutes, string expected)
        {
            Assert.Equal(expected, Minutes.Text(minutes));
        }

        /// <summary>
        /// Account (summed as the periods are cut, for the report) against Sum over Periods (the accounting the rest of the
        /// module uses), on random windows: changes in and out of order, before, inside and after the window, removals,
        /// and unobserved stretches that overlap the window's edges and each other's neighbourhoods.
        /// </summary>
        [Fact]
        public void AccountingWithoutPeriodsGivesTheSameSumsAsThePeriods()
        {
            var random = new Random(20261207);
            var states = new[] { PeriodState.Online, PeriodState.Offline, PeriodState.Unknown };
            for (int round = 0; round < 2000; round++)
            {
                int length = random.Next(1, 600);
                var changes = new List<StateChange>();
                for (int i = random.Next(0, 12); i > 0; i--)
                    changes.Add(new StateChange(M(random.Next(-50, length + 50)).AddSeconds(random.Next(0, 60)), states[random.Next(3)]));
                // Mostly in order, as recorded; sometimes a timestamp runs backwards.
                if (random.Next(4) > 0) changes.Sort((a, b) => a.Utc.CompareTo(b.Utc));
                var gaps = new List<Interval>();
                int at = random.Next(-100, 100);
                for (int g = random.Next(0, 5); g > 0 && at < length + 100; g--)
                {
                    int start = at + random.Next(0, 120), end = start + random.Next(1, 90);
                    gaps.Add(new Interval(M(start), M(end)));
                    at = end;
                }
                PeriodState startState = states[random.Next(3)];
                var unobserved = random.Next(5) == 0 ? null : gaps;
                Totals expected = Timeline.Sum(Timeline.Periods(M(0), M(length), startState, changes, unobserved), M(0), M(length));
                Totals actual = Timeline.Account(M(0), M(length), startState, random.Next(6) == 0 && changes.Count == 0 ? null : changes, unobserved);
                Assert.Equal((expected.Online, expected.Offline, expected.Unknown), (actual.Online, actual.Offline, actual.Unknown));
                Assert.Equal(length * 60, actual.Window);
            }
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
            var whole = TimelineText.Sum(text, Day, Day.AddHours(25), Day);
            Assert.Equal((9 * 3600L, 15 * 3600L, 3600L), (whole.Online, whole.Offline, whole.Unknown));
        }

        /// <summary>A stored timeline summed in place from any instant equals the sum of the periods it was written from.</summary>
        [Fact]
        public void SummingInPlaceEqualsSummingTheStoredPeriods()
        {
            var random = new Random(7);
            var states = new[] { PeriodState.Online, PeriodState.Offline, PeriodState.Unknown };
            for (int round = 0; round < 1000; round++)
            {
                int daySeconds = random.Next(3) == 0 ? 23 * 3600 : random.Next(3) == 0 ? 25 * 3600 : 86400;
                var periods = new List<Period>();
                DateTime cursor = Day, end = Day.AddSeconds(daySeconds);
                while (cursor < end)
                {
                    DateTime next = random.Next(5) == 0 ? end : cursor.AddSeconds(Math.Min((end - cursor).TotalSeconds, random.Next(1, 20000)));
                    periods.Add(new Period(cursor, next, states[random.Next(3)]));
                    cursor = next;
                }
                string text = TimelineText.Encode(periods);
                if (random.Next(8) == 0) text = text.Replace(" ", "  ");
                DateTime from = Day.AddSeconds(random.Next(-3600, daySeconds + 3600));
                Totals expected = Timeline.Sum(periods, from, end);
                Totals actual = TimelineText.Sum(text, Day, end, from);
                Assert.Equal((expected.Online, expected.Offline, expected.Unknown), (actual.Online, actual.Offline, actual.Unknown));
            }
        }

        [Theory]
        [InlineData("O3600 X86400")]
        [InlineData("O-5 F86405")]
        [InlineData("O3600")]
        [InlineData("")]
        [InlineData("O O86400")]
        [InlineData("O86400 F")]
        [InlineData("O+86400")]
        [InlineData("O86400\tF0")]
        [InlineData("O8640000000000000000000")]
        [InlineData("o86400")]
        public void DamagedTimelinesAreRejectedNotGuessedAt(string text)
        {
            Assert.Throws<FormatException>(() => TimelineText.Sum(text, Day, Day.AddDays(1), Day));
        }

        [Fact]
        public void TheErrorNamesTheDamagedPeriod()
        {
            var error = Assert.Throws<FormatException>(() => TimelineText.Sum("O3600 X86400", Day, Day.AddDays(1), Day));
            Assert.Contains("'X86400'", error.Message);
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
