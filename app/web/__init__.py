"""The pages for people (issue 16): server-rendered Jinja2 views over the same domain services as the API."""
