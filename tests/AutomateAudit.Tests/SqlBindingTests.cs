using System;
using System.Collections.Generic;
using System.Linq;
using AutomateAudit.Storage;
using AutomateAudit.Testing;

namespace AutomateAudit.Tests
{
    /// <summary>
    /// The module binds statement parameters itself (not through Dapper): lists expanded as Dapper expands them, values
    /// always sent as parameters, and one-column results converted as Dapper converts them. Each on the shared MariaDB.
    /// </summary>
    public class SqlBindingTests : IDisposable
    {
        private const string ThreeValues = "(SELECT 1 AS v UNION ALL SELECT 2 UNION ALL SELECT 3) t";
        private readonly AuditDatabase _db = AuditDatabase.Open(ConnectionSettings.FromConnectionString(SharedServer.NewAutomateDatabase("binding")));

        public void Dispose() => _db.Dispose();

        [Fact]
        public void AListBecomesOneParameterPerItemAndAnEmptyListMatchesNothing()
        {
            Assert.Equal(new[] { 1, 3 }, _db.Query<int>("SELECT v FROM " + ThreeValues + " WHERE v IN @ids ORDER BY v", new { ids = new[] { 3, 1 } }));
            Assert.Equal(new[] { 2 }, _db.Query<int>("SELECT v FROM " + ThreeValues + " WHERE v IN @ids", new { ids = new List<int> { 2 } }));
            Assert.Empty(_db.Query<int>("SELECT v FROM " + ThreeValues + " WHERE v IN @ids", new { ids = new int[0] }));
            Assert.Equal(3, _db.QuerySingle<long>("SELECT COUNT(*) FROM " + ThreeValues + " WHERE v NOT IN @ids", new { ids = new int[0] }));
        }

        [Fact]
        public void ALongerNameAndAServerVariableAreLeftAlone()
        {
            var args = new SqlArgs(new { ids = new[] { 2 } }).Add("ids_2", 20).Add("version", "mine");
            var row = _db.Read("SELECT v, @ids_2, @@version, @version FROM " + ThreeValues + " WHERE v IN @ids", args,
                r => (V: r.GetInt32(0), Twenty: r.Int64(1), Server: r.GetString(2), Mine: r.GetString(3))).Single();
            Assert.Equal((2, 20L, "mine"), (row.V, row.Twenty, row.Mine));
            Assert.Contains("MariaDB", row.Server);

            Assert.Equal("(@ids1) @ids_2 @@ids @idsX x(@ids1)", SqlArgs.ReplaceName("@ids @ids_2 @@ids @idsX x@ids", "ids", "(@ids1)"));
        }

        [Fact]
        public void ValuesAreSentAsParametersNeverAsText()
        {
            const string hostile = "x'); DROP TABLE computers; -- \\ @ids";
            Assert.Equal(hostile, _db.QuerySingle<string>("SELECT @s", new { s = hostile }));
            Assert.Equal(1, _db.QuerySingle<long>("SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'computers'"));
            Assert.Equal(1, _db.QuerySingle<int>("SELECT @v IS NULL", new { v = (string)null }));
            Assert.Equal(2, _db.QuerySingle<int>("SELECT @day", new { day = DayOfWeek.Tuesday }));
            var at = new DateTime(2026, 3, 8, 2, 30, 15);
            Assert.Equal(at, _db.QuerySingle<DateTime>("SELECT CAST(@at AS DATETIME)", new { at }));
        }

        [Fact]
        public void OneColumnResultsAreConvertedAndANullIsOnlyNullWhereTheTypeAllowsIt()
        {
            Assert.Equal(3, _db.QuerySingle<int>("SELECT COUNT(*) FROM " + ThreeValues));
            Assert.Equal(3UL, _db.QuerySingle<ulong>("SELECT MAX(v) FROM " + ThreeValues));
            Assert.Null(_db.QuerySingle<int?>("SELECT NULL AS Missing"));
            Assert.Null(_db.QuerySingle<string>("SELECT v FROM " + ThreeValues + " WHERE v > 5"));
            Assert.Equal(0, _db.QuerySingle<int>("SELECT v FROM " + ThreeValues + " WHERE v > 5"));
            var nullInt = Assert.Throws<InvalidCastException>(() => _db.QuerySingle<int>("SELECT NULL AS Missing"));
            Assert.Contains("Missing", nullInt.Message);
            Assert.Throws<InvalidOperationException>(() => _db.QuerySingle<int>("SELECT v FROM " + ThreeValues));
        }

        [Fact]
        public void RowTypesAreStillMappedByDapper()
        {
            var rows = _db.Query<(long V, string Text)>("SELECT v AS V, CONCAT('n', v) AS Text FROM " + ThreeValues + " WHERE v IN @ids ORDER BY v", new { ids = new[] { 1, 2 } }).ToList();
            Assert.Equal(new[] { (1L, "n1"), (2L, "n2") }, rows);
        }

        [Fact]
        public void AListOfParameterObjectsIsRefusedRatherThanRunOnce()
        {
            var ex = Assert.Throws<ArgumentException>(() => _db.Execute("SELECT @v", new[] { new { v = 1 }, new { v = 2 } }));
            Assert.Contains("not a list", ex.Message);
        }
    }
}
