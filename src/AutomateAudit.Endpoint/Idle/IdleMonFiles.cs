using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using AutomateAudit.Endpoint.Payload;

namespace AutomateAudit.Endpoint.Idle
{
    /// <summary>
    /// Reads the idletime.json files ProVal's IdleMon service writes into each profile, so existing deployments
    /// report on day one. Each file is read on its own: a malformed one is skipped with a warning (IdleMon's own
    /// /report fails whole), and a file not written for a while (the service died, or the user logged off
    /// without it being deleted) is flagged as stale by its write time. The admin flags in the file are the
    /// user's own claim and are ignored; the collector fills them from the user's token.
    /// </summary>
    internal static class IdleMonFiles
    {
        public const string FileName = "idletime.json";
        /// <summary>IdleMon rewrites its file every 5 seconds: older than this, it is not being written any more.</summary>
        public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(2);

        public static string DefaultProfileRoot =>
            Environment.GetEnvironmentVariable("SystemDrive") is string drive && drive.Length > 0 ? drive + "\\Users" : "/home";

        public static List<(IdleSample Sample, bool Stale)> Read(string profileRoot, DateTime nowUtc, List<string> warnings)
        {
            var samples = new List<(IdleSample, bool)>();
            if (!Directory.Exists(profileRoot)) return samples;
            foreach (string profile in Directory.GetDirectories(profileRoot))
            {
                string path = Path.Combine(profile, FileName);
                if (!File.Exists(path)) continue;
                try
                {
                    DateTime written = File.GetLastWriteTimeUtc(path);
                    IdleSample sample = Parse(File.ReadAllText(path), written);
                    samples.Add((sample, nowUtc - written > StaleAfter));
                }
                catch (Exception ex) when (ex is PayloadException || ex is IOException || ex is UnauthorizedAccessException)
                {
                    warnings.Add("Skipped the IdleMon file " + path + ": " + ex.Message);
                }
            }
            return samples;
        }

        /// <summary>One file's content: {"Username","Domain","IdleTime":"[d.]hh:mm:ss.fffffff",...}; the sample is as of the file's write time.</summary>
        public static IdleSample Parse(string json, DateTime writtenUtc)
        {
            if (json != null && json.Length > 4096) throw new PayloadException("the file is larger than an IdleMon file can be");
            if (!(Json.Parse(json) is Dictionary<string, object> m)) throw new PayloadException("it is not a JSON object");
            string user = Field.OptionalString(m, "Username", "the file") ?? throw new PayloadException("it names no user");
            string text = Field.OptionalString(m, "IdleTime", "the file") ?? throw new PayloadException("it has no IdleTime");
            if (!TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out TimeSpan idle) || idle < TimeSpan.Zero)
                throw new PayloadException("its IdleTime '" + Json.Shorten(text) + "' is not a duration");
            return new IdleSample
            {
                UserName = user,
                Domain = Field.OptionalString(m, "Domain", "the file"),
                Timestamp = writtenUtc.ToLocalTime(),
                IdleTime = idle,
                Source = IdleSource.IdleMon,
            };
        }
    }
}
