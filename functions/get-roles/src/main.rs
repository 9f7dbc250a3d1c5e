use std::process::ExitCode;

fn main() -> ExitCode {
    api_startup::serve("get-roles", |validator, request| async move {
        get_roles::get_roles(&validator, &request).await
    })
}
