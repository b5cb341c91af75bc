using AutomateAudit.Endpoint.Payload;
using static AutomateAudit.Storage.HostedInboxSql;

namespace AutomateAudit.Storage
{
    /// <summary>
    /// The hosted importer's reading of a payload (PayloadCodec.Decode as SQL) and the two rule sets every field goes
    /// through (Field.TryDate; SessionValidator.Text/Address), as helper procedures of aa_import_inbox.
    /// </summary>
    internal static class HostedInboxDecode
    {
        public const string DecodeName = "aa_inbox_decode";
        public const string DatesName = "aa_inbox_dates";
        public const string TextsName = "aa_inbox_texts";

        public const string DatesTable = "aa_tmp_proc_dates";
        public const string TextsTable = "aa_tmp_proc_texts";
        public const string ProblemsTable = "aa_tmp_proc_problems";

        /// <summary>The start of every refusal of the JSON text itself. The module's reader adds where ("at character 12"); the server's functions cannot say.</summary>
        public const string InvalidJson = "The JSON is not valid";

        public static string CreateTables =>
            CreateTemp(DatesTable, "tbl TINYINT NOT NULL, ord INT NOT NULL, member VARCHAR(32) NOT NULL, s " + TextColumn + ", form VARCHAR(3) NULL, ms BIGINT NULL, " +
                "y INT NULL, mo INT NULL, dd INT NULL, hh INT NULL, mi INT NULL, se INT NULL, om INT NULL, offm INT NULL, frac7 VARCHAR(7) NULL, ok TINYINT NULL, " +
                "d6 DATETIME(6) NULL, d7 TINYINT NULL, PRIMARY KEY (tbl, member, ord)") + ";\n  " +
            CreateTemp(TextsTable, "pos BIGINT NOT NULL, wh VARCHAR(40) NOT NULL, field VARCHAR(40) NOT NULL, v " + TextColumn + ", rule VARCHAR(10) NOT NULL, maxlen INT NOT NULL") + ";\n  " +
            CreateTemp(ProblemsTable, "pos BIGINT NOT NULL, msg TEXT NULL");

        private static string Procedure(string name, string parameters, string comment, string body, string version) =>
            "CREATE PROCEDURE `" + name + "`(" + parameters + ")\n  MODIFIES SQL DATA\n  COMMENT 'AutomateAudit " + version + ": " + comment + "'\n  BEGIN\n" + body + "  END";

        /// <summary>
        /// aa_inbox_dates(): reads the date texts waiting in aa_tmp_proc_dates as Field.TryDate does: "/Date(ms)/", or
        /// yyyy-MM-ddTHH:mm:ss[.fffffff] with Z or an offset of at most 14:00; ok = 1 with the UTC instant (DATETIME(6)
        /// and the 7th fraction digit) or ok = 0. Every step is guarded so that no conversion warns (strict mode would
        /// make a warning an error).
        /// </summary>
        public static SqlObjectSpec Dates(string version)
        {
            string ms = Field.MsDatePattern, iso = Field.IsoDatePattern;
            string zone = "IF(RIGHT(s, 1) = 'Z', 1, 6)";
            string local = "CAST(CONCAT(LEFT(s, 10), ' ', SUBSTRING(s, 12, 8), '.', LEFT(frac7, 6)) AS DATETIME(6))";
            string days = "CASE WHEN mo = 2 THEN IF((y MOD 4 = 0 AND y MOD 100 <> 0) OR y MOD 400 = 0, 29, 28) WHEN mo IN (4, 6, 9, 11) THEN 30 ELSE 31 END";
            string t = "UPDATE " + DatesTable + " SET ";
            string body =
                "  " + t + "form = CASE WHEN " + Matches("s", ms) + " THEN 'ms' WHEN " + Matches("s", iso) + " THEN 'iso' ELSE '' END WHERE form IS NULL;\n" +
                "  " + t + "ok = 0 WHERE form = '' AND ok IS NULL;\n" +
                "  " + t + "ms = CAST(REGEXP_SUBSTR(s COLLATE utf8mb4_bin, '-?[0-9]+') AS SIGNED) WHERE form = 'ms' AND ok IS NULL;\n" +
                "  " + t + "ok = IF(ms > -62135596800000 AND ms < 253402300799000, 1, 0) WHERE form = 'ms' AND ok IS NULL;\n" +
                "  " + t + "d6 = TIMESTAMP('1970-01-01') + INTERVAL ms * 1000 MICROSECOND, d7 = 0 WHERE form = 'ms' AND ok = 1 AND d6 IS NULL;\n" +
                "  " + t + "y = CAST(SUBSTRING(s, 1, 4) AS SIGNED), mo = CAST(SUBSTRING(s, 6, 2) AS SIGNED), dd = CAST(SUBSTRING(s, 9, 2) AS SIGNED), " +
                "hh = CAST(SUBSTRING(s, 12, 2) AS SIGNED), mi = CAST(SUBSTRING(s, 15, 2) AS SIGNED), se = CAST(SUBSTRING(s, 18, 2) AS SIGNED), " +
                "frac7 = RPAD(IF(SUBSTRING(s, 20, 1) = '.', SUBSTRING(s, 21, CHAR_LENGTH(s) - 20 - " + zone + "), ''), 7, '0'), " +
                "om = IF(RIGHT(s, 1) = 'Z', 0, CAST(RIGHT(s, 2) AS SIGNED)), " +
                "offm = IF(RIGHT(s, 1) = 'Z', 0, IF(SUBSTRING(s, CHAR_LENGTH(s) - 5, 1) = '-', -1, 1) * (CAST(SUBSTRING(s, CHAR_LENGTH(s) - 4, 2) AS SIGNED) * 60 + CAST(RIGHT(s, 2) AS SIGNED))) " +
                "WHERE form = 'iso' AND ok IS NULL;\n" +
                "  " + t + "ok = IF(y >= 1 AND mo BETWEEN 1 AND 12 AND dd >= 1 AND dd <= " + days + " AND hh <= 23 AND mi <= 59 AND se <= 59 AND om <= 59 AND ABS(offm) <= 840, 1, 0) " +
                "WHERE form = 'iso' AND ok IS NULL;\n" +
                // The first and last days .NET can hold: an offset that moves the instant out of them makes no date.
                "  " + t + "ok = 0 WHERE form = 'iso' AND ok = 1 AND d6 IS NULL AND ((y = 1 AND offm > 0 AND " + local + " < TIMESTAMP('0001-01-01') + INTERVAL offm MINUTE) " +
                "OR (y = 9999 AND offm < 0 AND " + local + " > CAST('9999-12-31 23:59:59.999999' AS DATETIME(6)) - INTERVAL -offm MINUTE));\n" +
                "  " + t + "d6 = " + local + " - INTERVAL offm MINUTE, d7 = CAST(RIGHT(frac7, 1) AS SIGNED) WHERE form = 'iso' AND ok = 1 AND d6 IS NULL;\n";
            return new SqlObjectSpec(DatesName, "PROCEDURE", "DROP PROCEDURE IF EXISTS `" + DatesName + "`",
                Procedure(DatesName, "", "a helper of aa_import_inbox (reads dates).", body, version));
        }

        /// <summary>aa_inbox_texts(): SessionValidator.Text and Address over the values waiting in aa_tmp_proc_texts: length first, then the characters.</summary>
        public static SqlObjectSpec Texts(string version)
        {
            string length = Utf16Length("v");
            var rule = new System.Text.StringBuilder("CASE rule");
            foreach (var r in Rules) rule.Append(" WHEN '" + r.Key + "' THEN " + r.Value);
            rule.Append(" END");
            string body =
                "  INSERT INTO " + ProblemsTable + " (pos, msg) SELECT pos, CONCAT(wh, ': ''', field, ''' is ', " + length + ", ' characters long; the column holds ', maxlen, '.') " +
                "FROM " + TextsTable + " WHERE CHAR_LENGTH(v) > 0 AND " + length + " > maxlen;\n" +
                "  INSERT INTO " + ProblemsTable + " (pos, msg) SELECT pos + 1, CONCAT(wh, ': ''', field, ''' ', IF(rule = 'address', 'is neither an IP address nor a host name', " +
                "CONCAT('holds characters a ', field, ' cannot have')), ' (''', " + Shorten(Printable("v")) + ", ''').') " +
                "FROM " + TextsTable + " WHERE CHAR_LENGTH(v) > 0 AND " + length + " <= maxlen AND NOT (" + rule + ");\n" +
                "  DELETE FROM " + TextsTable + ";\n";
            return new SqlObjectSpec(TextsName, "PROCEDURE", "DROP PROCEDURE IF EXISTS `" + TextsName + "`",
                Procedure(TextsName, "", "a helper of aa_import_inbox (checks texts).", body, version));
        }

        private static string Refuse(string message) => "SET o_reason = " + message + "; LEAVE main;";

        private static string Json(string detail) => Refuse(Str(InvalidJson + ": " + detail + "."));

        /// <summary>The first element of a JSON array (a variable) that is not an object, as "name[i] is not an object.".</summary>
        private static string ObjectsOnly(string array, string name) =>
            "    SET v_i = (SELECT MIN(jt.ord) - 1 FROM JSON_TABLE(" + array + ", '$[*]' COLUMNS (ord FOR ORDINALITY, c JSON PATH '$')) jt WHERE COALESCE(JSON_TYPE(jt.c), '') <> 'OBJECT');\n" +
            "    IF v_i IS NOT NULL THEN " + Refuse("CONCAT('" + name + "[', v_i, '] is not an object.')") + " END IF;\n";

        /// <summary>
        /// aa_inbox_decode(payload, OUT reason, OUT kind, OUT generated, OUT generated7, OUT json): PayloadCodec.Decode as SQL,
        /// the same checks in the same order with the same messages. The JSON must be what the module's strict reader
        /// accepts: JSON_VALID, and what JSON_VALID lets through is refused by hand (unknown escapes, escaped member
        /// names, malformed or over-long numbers, more than 17 levels, a member twice in one object).
        /// </summary>
        public static SqlObjectSpec Decode(string version)
        {
            string dupes =
                "WITH RECURSIVE n (v) AS (SELECT v_json UNION ALL SELECT jt.c FROM n, JSON_TABLE(IF(JSON_TYPE(n.v) = 'OBJECT', JSON_EXTRACT(n.v, '$.*'), n.v), " +
                "'$[*]' COLUMNS (c JSON PATH '$')) jt WHERE JSON_TYPE(n.v) IN ('OBJECT', 'ARRAY') AND JSON_TYPE(jt.c) IN ('OBJECT', 'ARRAY')) " +
                "SELECT COALESCE(SUM(IF(JSON_TYPE(v) = 'OBJECT', JSON_LENGTH(JSON_KEYS(v)), 0)), 0) INTO v_keys FROM n";
            string noDate = "'The payload has no generatedUtc.'";
            string body =
                "  DECLARE v_len BIGINT;\n  DECLARE v_i BIGINT;\n  DECLARE v_keys BIGINT;\n  DECLARE v_format BIGINT;\n  DECLARE v_bin LONGBLOB;\n" +
                "  DECLARE v_json LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;\n  DECLARE v_t LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;\n" +
                "  DECLARE v_raw LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;\n  DECLARE v_kind LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin;\n" +
                "  SET o_reason = NULL, o_kind = NULL, o_generated = NULL, o_generated7 = NULL, o_json = NULL;\n" +
                "  main: BEGIN\n" +
                "    IF p_payload IS NULL OR CHAR_LENGTH(p_payload) = 0 THEN " + Refuse("'The payload is empty.'") + " END IF;\n" +
                "    SET v_len = " + Utf16Length("p_payload") + ";\n" +
                "    IF v_len > " + PayloadCodec.MaxPayloadChars + " THEN " + Refuse("CONCAT('The payload is ', v_len, ' characters; at most " + PayloadCodec.MaxPayloadChars + " are accepted.')") + " END IF;\n" +
                "    IF v_len MOD 4 <> 0 OR NOT " + Matches("p_payload", PayloadCodec.Alphabet.ToString()) + " THEN " +
                Refuse("'The payload is not one line of standard base64 (only A-Z, a-z, 0-9, +, / and trailing =).'") + " END IF;\n" +
                "    SET v_bin = FROM_BASE64(p_payload);\n" +
                "    IF v_bin IS NULL THEN " + Refuse("'The payload is not valid base64.'") + " END IF;\n" +
                // Invalid UTF-8 comes back with '?' in it; UTF-8-encoded surrogates (which MariaDB lets through) do not survive UTF-16.
                "    IF CAST(CONVERT(CONVERT(CONVERT(v_bin USING utf8mb4) USING utf16) USING utf8mb4) AS BINARY) <> v_bin THEN " + Refuse("'The payload does not decode to UTF-8 text.'") + " END IF;\n" +
                "    SET v_json = CONVERT(v_bin USING utf8mb4);\n" +
                "    IF COALESCE(JSON_VALID(v_json), 0) = 0 THEN " + Json("the server's JSON parser refuses it") + " END IF;\n" +
                "    IF COALESCE(JSON_DEPTH(v_json), 99) > " + (Endpoint.Payload.Json.MaxDepth + 1) + " THEN " + Json("nested deeper than " + Endpoint.Payload.Json.MaxDepth + " levels") + " END IF;\n" +
                // Each valid escape becomes CHAR(1), which raw JSON text cannot hold: what is left of a backslash is an unknown escape.
                "    SET v_t = REGEXP_REPLACE(v_json, " + Rx(@"\\([""\\/bfnrt]|u[0-9A-Fa-f]{4})") + ", CHAR(1 USING utf8mb4));\n" +
                "    IF LOCATE(CHAR(92 USING utf8mb4), v_t) > 0 THEN " + Json("an unknown escape") + " END IF;\n" +
                "    IF " + Matches("v_t", @"""[^""\x01]*\x01[^""]*""[ \t\r\n]*:") + " THEN " + Json("a member name with an escape") + " END IF;\n" +
                "    SET v_t = REGEXP_REPLACE(v_t, '\"[^\"]*\"', 's');\n" +
                "    IF " + Matches("v_t", "[-+.0-9eE]{41,}") + " THEN " + Json("a number longer than 40 characters") + " END IF;\n" +
                "    SET v_t = REGEXP_REPLACE(REGEXP_REPLACE(v_t, 'true|false|null', 'w'), " + Rx(@"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?") + ", 'n');\n" +
                "    IF " + Matches("v_t", "[-+.0-9eE]") + " OR LOCATE('nn', v_t) > 0 THEN " + Json("a malformed number") + " END IF;\n" +
                // Every ':' left is one member as written; the parsed objects hold one key per name.
                "    " + dupes + ";\n" +
                "    IF CHAR_LENGTH(v_t) - CHAR_LENGTH(REPLACE(v_t, ':', '')) <> v_keys THEN " + Json("a member appears twice") + " END IF;\n" +
                "    IF JSON_TYPE(v_json) = 'ARRAY' THEN\n" + ObjectsOnly("v_json", "items") + "      " + Refuse(noDate) + "\n    END IF;\n" +
                "    IF JSON_TYPE(v_json) <> 'OBJECT' THEN " + Refuse("'The JSON is neither an envelope object nor an array of items.'") + " END IF;\n" +
                "    IF JSON_CONTAINS_PATH(v_json, 'one', '$.format') = 0 AND JSON_CONTAINS_PATH(v_json, 'one', '$.kind') = 0 THEN " + Refuse(noDate) + " END IF;\n" +
                "    SET v_raw = JSON_EXTRACT(v_json, '$.format');\n" +
                "    SET v_format = " + Int32Of("v_raw") + ";\n" +
                "    IF v_format IS NULL THEN " + Refuse("'The envelope''s format is missing or not a whole number.'") + " END IF;\n" +
                "    IF v_format > " + PayloadCodec.FormatVersion + " THEN " + Refuse("CONCAT('The payload is in format version ', v_format, ', newer than this module reads (" + PayloadCodec.FormatVersion +
                "). Update AutomateAudit on the server; nothing was read.')") + " END IF;\n" +
                "    IF v_format < 1 THEN " + Refuse("CONCAT('The envelope''s format ', v_format, ' is not a format version.')") + " END IF;\n" +
                "    SET v_raw = JSON_EXTRACT(v_json, '$.kind');\n" +
                "    SET v_kind = " + StringOf("v_raw") + ";\n" +
                "    IF v_kind IS NULL OR (" + Bin("v_kind") + " <> '" + PayloadCodec.SessionsKind + "' AND " + Bin("v_kind") + " <> '" + PayloadCodec.IdleKind + "') THEN " +
                Refuse("CONCAT('The payload holds ''', " + Shorten("COALESCE(v_kind, '(nothing)')") + ", ''', which this module does not read.')") + " END IF;\n" +
                "    SET v_raw = JSON_EXTRACT(v_json, '$.computerName');\n" +
                "    IF " + Present("v_raw") + " AND NOT " + IsString("v_raw") + " THEN " + Refuse("'the envelope: ''computerName'' is not a string.'") + " END IF;\n" +
                "    SET v_raw = JSON_EXTRACT(v_json, '$.agentId');\n" +
                "    IF " + Present("v_raw") + " AND (" + Int32Of("v_raw") + ") IS NULL THEN " + Refuse("'the envelope: ''agentId'' is not a whole number.'") + " END IF;\n" +
                "    SET v_raw = JSON_EXTRACT(v_json, '$.generatedUtc');\n" +
                "    DELETE FROM " + DatesTable + ";\n" +
                "    IF " + Present("v_raw") + " THEN\n" +
                "      INSERT INTO " + DatesTable + " (tbl, ord, member, s) VALUES (0, 0, 'generatedUtc', " + StringOf("v_raw") + ");\n" +
                "      CALL `" + DatesName + "`();\n" +
                "      SELECT d6, d7 INTO o_generated, o_generated7 FROM " + DatesTable + " WHERE tbl = 0;\n" +
                "      IF o_generated IS NULL THEN " + Refuse("'the envelope: ''generatedUtc'' is not a date with a time zone (ISO 8601, e.g. 2026-11-25T13:00:00Z).'") + " END IF;\n" +
                "    END IF;\n" +
                "    IF JSON_CONTAINS_PATH(v_json, 'one', '$.items') = 0 THEN " + Refuse("'The envelope has no items.'") + " END IF;\n" +
                Members("items", required: true) + Members("events", required: false) + Members("hours", required: false) +
                "    IF o_generated IS NULL THEN " + Refuse(noDate) + " END IF;\n" +
                "    SET o_kind = v_kind, o_json = v_json;\n" +
                "  END main;\n" +
                "  IF o_reason IS NOT NULL THEN SET o_generated = NULL, o_generated7 = NULL; END IF;\n";
            return new SqlObjectSpec(DecodeName, "PROCEDURE", "DROP PROCEDURE IF EXISTS `" + DecodeName + "`",
                Procedure(DecodeName, "IN p_payload LONGTEXT CHARACTER SET utf8mb4, OUT o_reason TEXT CHARACTER SET utf8mb4, OUT o_kind VARCHAR(32) CHARACTER SET utf8mb4, " +
                    "OUT o_generated DATETIME(6), OUT o_generated7 INT, OUT o_json LONGTEXT CHARACTER SET utf8mb4", "a helper of aa_import_inbox (decodes a payload).", body, version));
        }

        /// <summary>The envelope's items, events or hours: an array of objects (events and hours may be missing or null).</summary>
        private static string Members(string name, bool required) =>
            "    SET v_raw = JSON_EXTRACT(v_json, '$." + name + "');\n" +
            (required ? "    IF COALESCE(JSON_TYPE(v_raw), '') <> 'ARRAY' THEN " : "    IF " + Present("v_raw") + " AND JSON_TYPE(v_raw) <> 'ARRAY' THEN ") +
            Refuse("'''" + name + "'' is not an array.'") + " END IF;\n" +
            "    IF " + Present("v_raw") + " THEN\n" + ObjectsOnly("v_raw", name) + "    END IF;\n";
    }
}
