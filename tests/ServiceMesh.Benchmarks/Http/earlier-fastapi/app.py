"""The earlier platform's Gen A mesh API, reduced to the routes the load benchmark compares, in its shape:
FastAPI + pydantic models, CORS middleware, services in an in-memory dict (not durable, no Consul behind it).

Run: python3 -m uvicorn app:app --app-dir tests/ServiceMesh.Benchmarks/Http/earlier-fastapi --host 127.0.0.1 --port 18088 --no-access-log
(the earlier image ran uvicorn with access_log=True, which is slower still; it is off here to favour the earlier stack).
"""
from typing import Dict, List, Optional

from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware
from pydantic import BaseModel

app = FastAPI(title="Lucid Service Mesh Controller", version="1.0.0")
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])

services: Dict[str, dict] = {}


class ServiceRegistration(BaseModel):
    service_name: str
    service_address: str
    service_port: int
    health_check_url: Optional[str] = None
    tags: Optional[List[str]] = None


@app.get("/health")
async def health():
    return {"status": "healthy", "service": "lucid-service-mesh-controller", "version": "1.0.0",
            "components": {"consul": True, "certificates": True, "envoy": True}}


@app.post("/services/register")
async def register(registration: ServiceRegistration):
    service_id = f"{registration.service_name}-{registration.service_address}-{registration.service_port}"
    services[service_id] = {"name": registration.service_name, "address": registration.service_address,
                            "port": registration.service_port, "tags": registration.tags or [], "service_id": service_id}
    return {"status": "registered", "service_name": registration.service_name}


@app.get("/services")
async def list_services():
    return {"services": list(services.values()), "count": len(services)}


@app.get("/services/{service_name}")
async def get_service(service_name: str):
    for service in services.values():
        if service["name"] == service_name:
            return {"address": service["address"], "port": service["port"], "service_id": service["service_id"], "tags": service["tags"]}
    raise HTTPException(status_code=404, detail=f"Service '{service_name}' not found")
