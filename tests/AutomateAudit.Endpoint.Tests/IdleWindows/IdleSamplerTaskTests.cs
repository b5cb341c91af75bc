using System;
using System.Linq;
using System.Xml.Linq;
using AutomateAudit.Endpoint.Idle.Windows;

namespace AutomateAudit.Endpoint.Tests.IdleWindows
{
    public class IdleSamplerTaskTests
    {
        private static readonly XNamespace T = "http://schemas.microsoft.com/windows/2004/02/mit/task";
        private const string Exe = @"C:\Program Files\AutomateAudit\IdleSampler\AutomateAudit.IdleSampler.exe";

        private static XElement Task(string arguments = "") => XDocument.Parse(IdleSamplerTask.BuildXml(Exe, arguments)).Root;

        [Fact]
        public void Root_is_a_version_1_2_task_in_the_task_scheduler_namespace()
        {
            XElement task = Task();
            Assert.Equal(T + "Task", task.Name);
            Assert.Equal("1.2", (string)task.Attribute("version"));
            Assert.Equal(new[] { "RegistrationInfo", "Triggers", "Principals", "Settings", "Actions" },
                task.Elements().Select(e => e.Name.LocalName));
        }

        [Fact]
        public void Logon_trigger_for_any_user()
        {
            XElement trigger = Task().Element(T + "Triggers").Elements().Single();
            Assert.Equal(T + "LogonTrigger", trigger.Name);
            Assert.Null(trigger.Element(T + "UserId"));
            Assert.Null(trigger.Element(T + "Delay"));
            Assert.Equal("true", (string)trigger.Element(T + "Enabled"));
        }

        [Fact]
        public void Principal_is_the_users_group_least_privilege()
        {
            XElement principal = Task().Element(T + "Principals").Elements().Single();
            Assert.Equal("S-1-5-32-545", (string)principal.Element(T + "GroupId"));
            Assert.Equal("LeastPrivilege", (string)principal.Element(T + "RunLevel"));
            Assert.Null(principal.Element(T + "UserId"));
            Assert.Null(principal.Element(T + "LogonType"));
            // the action runs in the principal's context
            Assert.Equal((string)principal.Attribute("id"), (string)Task().Element(T + "Actions").Attribute("Context"));
        }

        [Fact]
        public void Settings()
        {
            XElement s = Task().Element(T + "Settings");
            Assert.Equal("Parallel", (string)s.Element(T + "MultipleInstancesPolicy"));
            Assert.Equal("false", (string)s.Element(T + "DisallowStartIfOnBatteries"));
            Assert.Equal("false", (string)s.Element(T + "StopIfGoingOnBatteries"));
            Assert.Equal("PT0S", (string)s.Element(T + "ExecutionTimeLimit"));
            Assert.Equal("true", (string)s.Element(T + "Hidden"));
            Assert.Equal("true", (string)s.Element(T + "Enabled"));
            Assert.Equal("false", (string)s.Element(T + "RunOnlyIfIdle"));
            Assert.Equal("false", (string)s.Element(T + "IdleSettings").Element(T + "StopOnIdleEnd"));
            Assert.Equal("7", (string)s.Element(T + "Priority"));
            // every setting once (Settings is xs:all)
            Assert.Equal(s.Elements().Count(), s.Elements().Select(e => e.Name).Distinct().Count());
        }

        [Fact]
        public void Exec_runs_the_installed_exe_with_its_arguments()
        {
            XElement exec = Task("/threshold:600").Element(T + "Actions").Elements().Single();
            Assert.Equal(T + "Exec", exec.Name);
            Assert.Equal(new[] { "Command", "Arguments", "WorkingDirectory" }, exec.Elements().Select(e => e.Name.LocalName));
            Assert.Equal(Exe, (string)exec.Element(T + "Command")); // unquoted: Command is a path, not a command line
            Assert.Equal("/threshold:600", (string)exec.Element(T + "Arguments"));
            Assert.Equal(@"C:\Program Files\AutomateAudit\IdleSampler", (string)exec.Element(T + "WorkingDirectory"));

            Assert.Null(Task("").Element(T + "Actions").Element(T + "Exec").Element(T + "Arguments"));
        }

        [Fact]
        public void Xml_special_characters_in_the_path_are_escaped()
        {
            string exe = @"C:\Tools & <Co>\AutomateAudit.IdleSampler.exe";
            string xml = IdleSamplerTask.BuildXml(exe, null);
            Assert.Contains("&amp;", xml);
            Assert.Equal(exe, (string)XDocument.Parse(xml).Root.Element(T + "Actions").Element(T + "Exec").Element(T + "Command"));
        }

        [Fact]
        public void Relative_path_is_refused()
        {
            Assert.Throws<ArgumentException>(() => IdleSamplerTask.BuildXml("AutomateAudit.IdleSampler.exe", null));
        }
    }
}
