using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Text.RegularExpressions;
using AutomateAudit.Endpoint.Payload;

namespace AutomateAudit.Cmdlets
{
    /// <summary>
    /// What the Save-* cmdlets accept from an endpoint, turned into one payload envelope: pipeline objects
    /// (their properties read as JSON members would be, so every route meets the same checks), JSON text,
    /// a payload, or files uploaded by Automate's File Upload step.
    /// </summary>
    internal static class EndpointInput
    {
        private static readonly Regex UploadFolderId = new Regex(@"\((\d{1,10})\)\s*$", RegexOptions.CultureInvariant);

        public static PayloadEnvelope FromObjects(IReadOnlyList<PSObject> objects, string kind)
        {
            var envelope = new PayloadEnvelope { Kind = kind };
            foreach (PSObject o in objects)
            {
                // Get-IdleSample -Summary writes hours: they travel as the report's hours, not as samples.
                bool hour = kind == PayloadCodec.IdleKind && o.Properties["HourUtc"] != null && o.Properties["ActiveMinutes"] != null;
                (hour ? envelope.Hours : envelope.Items).Add(Members(o));
            }
            return envelope;
        }

        /// <summary>A file as uploaded: a payload (one line of base64) or JSON.</summary>
        public static PayloadEnvelope FromFile(string path, string kind)
        {
            var info = new FileInfo(path);
            if (info.Length > PayloadCodec.MaxJsonChars * 2L)
                throw new PayloadException("The file " + path + " is " + info.Length + " bytes; at most " + PayloadCodec.MaxJsonChars + " characters are accepted.");
            string text = File.ReadAllText(path).Trim();
            return Regex.IsMatch(text, "^[A-Za-z0-9+/=]+$") ? PayloadCodec.Decode(text, kind) : PayloadCodec.ParseJson(text, kind);
        }

        /// <summary>The ComputerID in an upload folder's name, as Automate's File Upload lays it out: Uploads/&lt;Client&gt;/&lt;Computer (id)&gt;/file.</summary>
        public static int? ComputerIdFromUploadPath(string path)
        {
            string folder = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path)) ?? string.Empty);
            Match m = UploadFolderId.Match(folder ?? string.Empty);
            return m.Success && int.TryParse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out int id) && id > 0 ? id : (int?)null;
        }

        private static Dictionary<string, object> Members(PSObject o)
        {
            var members = new Dictionary<string, object>(StringComparer.Ordinal);
            foreach (PSPropertyInfo property in o.Properties)
            {
                object value;
                try { value = property.Value; } catch (GetValueException) { continue; }
                members[property.Name] = Member(value is PSObject wrapped ? wrapped.BaseObject : value);
            }
            return members;
        }

        private static object Member(object value)
        {
            switch (value)
            {
                case null: return null;
                case string s: return s;
                case bool b: return b;
                case DateTime t: return Json.Iso(t.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(t, DateTimeKind.Local) : t);
                case DateTimeOffset dto: return Json.Iso(dto.UtcDateTime);
                case TimeSpan span: return span.ToString("c", CultureInfo.InvariantCulture);
                case Enum e: return e.ToString();
                case int _: case long _: case short _: case byte _: case uint _: case ulong _: case double _: case float _: case decimal _:
                    return new Json.Number(Convert.ToString(value, CultureInfo.InvariantCulture));
                default: return value.ToString();
            }
        }
    }
}
