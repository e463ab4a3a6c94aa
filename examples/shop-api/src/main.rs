//! The shop API: `cargo run -p shop-api`, then `curl localhost:3000/products`.
//!
//! At start-up it applies the migrations compiled into it (on a sync connection, on tokio's
//! blocking pool), opens a pool of async connections, and prints the address it listens on as
//! the first line of standard output. Logs, and SQL echo when `ff.toml` turns it on, go to
//! standard error. Ctrl-C or SIGTERM stops it after the requests in flight.

use ff_runtime::migration::EmbeddedMigrations;
use ff_runtime::{AsyncPool, Connection, Echo, mask_password};
use shop_api::routes::router;
use shop_api::settings::Settings;
use tokio::net::TcpListener;

/// The `migrations/` folder beside `Cargo.toml`, written by `cargo ff database create-migration`.
const MIGRATIONS: EmbeddedMigrations = ff_runtime::embed_migrations!();

#[tokio::main]
async fn main() {
    if let Err(error) = serve().await {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}

async fn serve() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let settings = Settings::load()?;
    let level = match settings.echo {
        Echo::Off => tracing::Level::INFO,
        _ => tracing::Level::DEBUG,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .init();

    tracing::info!("database {}", mask_password(&settings.url));
    let (url, echo) = (settings.url.clone(), settings.echo);
    let applied = tokio::task::spawn_blocking(move || {
        let mut conn = Connection::establish(&url)?;
        conn.set_echo(echo);
        MIGRATIONS
            .run_pending(&mut conn)
            .map_err(Box::<dyn std::error::Error + Send + Sync>::from)
    })
    .await??;
    for migration in applied {
        tracing::info!("applied migration {}", migration.version);
    }

    let pool = AsyncPool::with_timeout(
        &settings.url,
        settings.pool_size,
        settings.connect_timeout,
        settings.echo,
    )
    .await?;
    let listener = TcpListener::bind(settings.address)
        .await
        .map_err(|error| format!("cannot listen on {}: {error}", settings.address))?;
    println!("http://{}", listener.local_addr()?);
    axum::serve(listener, router(pool))
        .with_graceful_shutdown(stop_requested())
        .await?;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM (what `docker stop` and systemd send): requests in flight are
/// answered, then the service exits with status 0.
async fn stop_requested() {
    let interrupt = tokio::signal::ctrl_c();
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(_) => std::future::pending().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = interrupt => {}
        () = terminate => {}
    }
}
