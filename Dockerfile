FROM python:3.11-slim
WORKDIR /srv/gatekeeper
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY policies ./policies
RUN pip install --no-cache-dir -e . && useradd --system gatekeeper && mkdir /keys && chown gatekeeper /keys
USER gatekeeper
EXPOSE 8000
CMD ["gatekeeper", "serve", "--host", "0.0.0.0", "--port", "8000"]
