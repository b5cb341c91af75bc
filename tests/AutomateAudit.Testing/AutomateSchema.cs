using MySqlConnector;

namespace AutomateAudit.Testing
{
    /// <summary>
    /// Automate's own tables as far as public SQL shows them (see shared/reference/automate-facts.md),
    /// plus a few columns the module does not know about, as real servers have.
    /// </summary>
    public static class AutomateSchema
    {
        public const string Ddl = @"
CREATE TABLE IF NOT EXISTS clients (
  ClientID INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  Name VARCHAR(100) NOT NULL DEFAULT '',
  Address1 VARCHAR(100) NOT NULL DEFAULT '', City VARCHAR(50) NOT NULL DEFAULT '', State VARCHAR(50) NOT NULL DEFAULT '',
  Zip VARCHAR(20) NOT NULL DEFAULT '', Phone VARCHAR(30) NOT NULL DEFAULT '', ExternalID INT NOT NULL DEFAULT 0,
  Flags INT NOT NULL DEFAULT 0, Comments TEXT NULL, WebSite VARCHAR(255) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS locations (
  LocationID INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ClientID INT NOT NULL DEFAULT 0,
  Name VARCHAR(100) NOT NULL DEFAULT '',
  Address VARCHAR(100) NOT NULL DEFAULT '', City VARCHAR(50) NOT NULL DEFAULT '', State VARCHAR(50) NOT NULL DEFAULT '',
  Zip VARCHAR(20) NOT NULL DEFAULT '', Phone VARCHAR(30) NOT NULL DEFAULT '', ProbeID INT NOT NULL DEFAULT 0,
  RouterAddress VARCHAR(50) NOT NULL DEFAULT '', Comments TEXT NULL,
  KEY ClientID (ClientID)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS contacts (
  ContactID INT NOT NULL AUTO_INCREMENT PRIMARY KEY,
  ClientID INT NOT NULL DEFAULT 0, LocationID INT NOT NULL DEFAULT 0,
  FirstName VARCHAR(50) NOT NULL DEFAULT '', LastName VARCHAR(50) NOT NULL DEFAULT '',
  Email VARCHAR(100) NOT NULL DEFAULT '', Phone VARCHAR(30) NOT NULL DEFAULT '', MSN VARCHAR(100) NOT NULL DEFAULT ''
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;
CREATE TABLE IF NOT EXISTS computers (
  ComputerID INT NOT NULL AUTO_INCREMENT,
  ClientID INT NOT NULL DEFAULT 0, LocationID INT NOT NULL DEFAULT 0,
  Name VARCHAR(50) NOT NULL DEFAULT '', Domain VARCHAR(50) NOT NULL DEFAULT '',
  UserName VARCHAR(50) NOT NULL DEFAULT '', LastUsername VARCHAR(50) NOT NULL DEFAULT '',
  OS VARCHAR(100) NOT NULL DEFAULT '', Version VARCHAR(50) NOT NULL DEFAULT '',
  LastContact DATETIME NULL, Uptime INT NOT NULL DEFAULT -1, DateAdded DATETIME NULL,
  LocalAddress VARCHAR(50) NOT NULL DEFAULT '', MAC VARCHAR(50) NOT NULL DEFAULT '',
  BiosMFG VARCHAR(100) NOT NULL DEFAULT '', BiosName VARCHAR(100) NOT NULL DEFAULT '',
  BiosVer VARCHAR(100) NOT NULL DEFAULT '', BiosFlash VARCHAR(100) NOT NULL DEFAULT '',
  AssetTag VARCHAR(50) NOT NULL DEFAULT '', ContactID INT NOT NULL DEFAULT 0,
  Flags INT NOT NULL DEFAULT 0, Comment VARCHAR(255) NOT NULL DEFAULT '', TotalMemory INT NOT NULL DEFAULT 0,
  RouterAddress VARCHAR(50) NOT NULL DEFAULT '', VirusScanner INT NOT NULL DEFAULT 0, LastInventory DATETIME NULL,
  PRIMARY KEY (ComputerID),
  KEY ClientID (ClientID), KEY LocationID (LocationID), KEY LastContact (LastContact)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4;";

        public static void Create(string connectionString)
        {
            using (var connection = new MySqlConnection(connectionString))
            {
                connection.Open();
                using (var command = connection.CreateCommand())
                {
                    command.CommandText = Ddl;
                    command.ExecuteNonQuery();
                }
            }
        }
    }
}
