//! Where the service listens and which database it uses.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

use ff_runtime::{Config, Echo};

/// The default port; `PORT=0` asks the system for a free one.
pub const DEFAULT_PORT: u16 = 3000;

/// The service's settings, read from the environment and `ff.toml` at start-up.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The database: `DATABASE_URL` (environment, `.env` or `ff.toml`), else an SQLite file in
    /// the system's temporary directory.
    pub url: String,
    /// `HOST` (default 127.0.0.1) and `PORT` (default 3000).
    pub address: SocketAddr,
    /// `pool_size` of `ff.toml` (default 5).
    pub pool_size: u32,
    /// `connect_timeout` of `ff.toml`: how long to wait for a connection (default 30 s).
    pub connect_timeout: Duration,
    /// `echo` of `ff.toml`: log every statement through `tracing`.
    pub echo: Echo,
}

impl Settings {
    /// Reads the settings; a bad value is an error naming the variable and what it takes.
    pub fn load() -> Result<Settings, String> {
        let config = Config::load().map_err(|error| error.to_string())?;
        let url = match &config.url {
            Some(url) => url.value.clone(),
            None => default_url(),
        };
        let host = match std::env::var("HOST") {
            Ok(host) => host.parse::<IpAddr>().map_err(|_| {
                format!("HOST is `{host}`: give an IP address such as 127.0.0.1 or 0.0.0.0")
            })?,
            Err(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
        };
        let port = match std::env::var("PORT") {
            Ok(port) => port.parse::<u16>().map_err(|_| {
                format!("PORT is `{port}`: give a port number from 0 (any free port) to 65535")
            })?,
            Err(_) => DEFAULT_PORT,
        };
        Ok(Settings {
            url,
            address: SocketAddr::new(host, port),
            pool_size: config.pool_size.value,
            connect_timeout: Duration::from_secs(config.connect_timeout.value),
            echo: config.echo.value,
        })
    }
}

/// `ff-shop-api.db` in the system's temporary directory (`/tmp` on Linux), kept between runs.
fn default_url() -> String {
    let file = std::env::temp_dir().join("ff-shop-api.db");
    format!("sqlite://{}", file.display())
}
